// The portal's JSON routes answer { error: { message, fields? } } on failure (lib/http/route-result.ts);
// queries throw that message (and the per-field messages) so a page can show them as they are.
export class FetchError extends Error {
  constructor(message: string, readonly fields: Record<string, string> = {}) {
    super(message);
    this.name = "FetchError";
  }
}

export async function fetchJson<T>(url: string, fallback: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new FetchError(body?.error?.message ?? fallback, body?.error?.fields ?? {});
  return body as T;
}
