/** Only the filters that are set, in a fixed order: the same filters give the same query key and URL. */
export function filterParams<K extends string>(f: Partial<Record<K, string>>, keys: readonly K[]): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of keys) {
    const v = f[k]?.trim();
    if (v) q.set(k, v);
  }
  return q;
}
