// Whether staged changes hold each Id once, known without DuckDB: each page staged by this process
// keeps a 53-bit hash of every Id it wrote (staging.ts), and a run converted from such pages keeps
// theirs. The background conversion of a run where no hash repeats needs no latest-per-Id window,
// which held the whole run in DuckDB's memory (staged-parquet.ts), and the initial export's commit
// no distinct count of every Id in DuckDB (merge.ts). Equal Ids always share a hash, so a repeated
// Id is never missed; two Ids sharing a hash only take the exact path (the window, the count).

/** Two 32-bit FNV-1a hashes (different offsets) of the string's UTF-16 units, as one 53-bit number. */
export function idHash(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/**
 * True when every entry carries its Id hashes (each entry's sorted) and none repeats across
 * them; false when one repeats or is unknown (a page staged before a restart). A merge of the
 * sorted lists, not a Set or one concatenated copy: the initial export's commit asks it of
 * 1,000,000 hashes, and either held megabytes more at the export's peak.
 */
export function idsUnique(entries: { ids?: Float64Array }[]): boolean {
  if (entries.some((e) => !e.ids)) return false;
  const lists = entries.map((e) => e.ids!).filter((l) => l.length > 0);
  // A binary min-heap of list indexes, keyed by each list's head.
  const at = new Array<number>(lists.length).fill(0);
  const head = (i: number) => lists[i][at[i]];
  const heap = lists.map((_, i) => i);
  const down = (k: number) => {
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let m = k;
      if (l < heap.length && head(heap[l]) < head(heap[m])) m = l;
      if (r < heap.length && head(heap[r]) < head(heap[m])) m = r;
      if (m === k) return;
      [heap[k], heap[m]] = [heap[m], heap[k]];
      k = m;
    }
  };
  for (let k = (heap.length >> 1) - 1; k >= 0; k--) down(k);
  let last = Number.NaN;
  while (heap.length) {
    const i = heap[0];
    const h = head(i);
    if (h === last) return false;
    last = h;
    if (++at[i] < lists[i].length) down(0);
    else {
      heap[0] = heap[heap.length - 1];
      heap.pop();
      down(0);
    }
  }
  return true;
}

/** The entries' hashes in one sorted array (a converted run keeps its pages'); undefined when one is unknown. */
export function concatIds(entries: { ids?: Float64Array }[]): Float64Array | undefined {
  if (entries.some((e) => !e.ids)) return undefined;
  const out = new Float64Array(entries.reduce((n, e) => n + e.ids!.length, 0));
  let at = 0;
  for (const e of entries) {
    out.set(e.ids!, at);
    at += e.ids!.length;
  }
  return out.sort();
}
