/** Query parameters as an object; empty ones mean "no filter" (a form sends every field). */
export function nonEmptyParams(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(req.url).searchParams) if (v.trim() !== "") out[k] = v;
  return out;
}
