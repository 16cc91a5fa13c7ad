// Where to go after sign-in: only a path of this portal (an open redirect would be a phishing aid).
// Resolved the way a browser resolves it, against a stand-in origin: what leaves that origin is
// refused. Control characters and backslashes are refused first, because URL parsers (and
// browsers) drop tabs/newlines and read "\" as "/": "/\t/evil.example" becomes "//evil.example".
const ORIGIN = "http://portal.invalid";

export function safeCallbackUrl(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.length > 2048) return "/";
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return "/";
  let url: URL;
  try {
    url = new URL(value, ORIGIN);
  } catch {
    return "/";
  }
  if (url.origin !== ORIGIN) return "/";
  return `${url.pathname}${url.search}`;
}
