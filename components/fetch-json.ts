// The portal's JSON routes answer { error: { message } } on failure (lib/http/route-result.ts);
// queries throw that message so a page can show it as is.
export async function fetchJson<T>(url: string, fallback: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? fallback);
  return body as T;
}
