// The sync worker's V8 heap cap. V8 grows its heap lazily: a worker exporting a million rows
// held ~390 MB resident without a cap while its live data stayed under ~60 MB (bench/sync.ts,
// bench/lake.ts); a cap makes it collect before growing. `npm start` passes these flags to the
// worker, and the benchmarks run the engine under the same ones. WORKER_MAX_HEAP_MB sizes the
// old generation; 0 leaves V8's default (about a quarter of the machine's memory). A worker
// running many large exports at once needs more: raise it rather than let the worker restart
// out of memory.
export const DEFAULT_WORKER_MAX_HEAP_MB = 256;

/**
 * The old generation starts at this share of the cap. V8 otherwise starts it small and runs a full
 * collection each time it grows it: an export allocates fast, so that was a large part of the
 * worker's CPU. bench/lake.ts, 1,000,000 rows, this process's CPU a record and peak RSS with 0 /
 * 64 / 96 MB of 256: folder 15.5 / 11.8 / 10.3 µs and 242 / 259 / 281 MB; Azurite 15.6 / 13.6 /
 * 12.2 µs and 268 / 275 / 295 MB. A quarter keeps the 300 MB goal with room to spare.
 */
const INITIAL_SHARE = 1 / 4;

/**
 * The young generation's semi-space may grow to this (MB; V8's default is 16). A page of records
 * stays live while it is written; with 16 MB each young collection copied most of it, and the
 * survivors were promoted and collected again as old objects. bench/write.ts, 100,000 rows into
 * SQLite: 78 → 50 scavenges and 7 → 3 full collections, client CPU 22 → 15–17 ms per 1,000;
 * bench/sync.ts into PostgreSQL, 1,000,000 rows: engine CPU 32–36 → 30–32 µs a record, peak RSS
 * unchanged (201–214 MB). The space is committed only as survivors need it.
 */
const MAX_SEMI_SPACE_MB = 32;

/**
 * Node flags for a worker process, from WORKER_MAX_HEAP_MB (throws on a value that is no size).
 * @param {Record<string, string | undefined>} [env]
 * @returns {string[]}
 */
export function workerNodeFlags(env = process.env) {
  const raw = env.WORKER_MAX_HEAP_MB?.trim();
  const mb = raw === undefined || raw === "" ? DEFAULT_WORKER_MAX_HEAP_MB : Number(raw);
  if (!Number.isInteger(mb) || mb < 0 || (mb > 0 && mb < 64)) {
    throw new Error(`WORKER_MAX_HEAP_MB must be 0 (no cap) or a whole number of MB from 64, not "${raw}"`);
  }
  return mb === 0
    ? []
    : [`--max-old-space-size=${mb}`, `--initial-old-space-size=${Math.round(mb * INITIAL_SHARE)}`, `--max-semi-space-size=${MAX_SEMI_SPACE_MB}`];
}
