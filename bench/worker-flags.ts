// Benchmarks of the engine's memory run it under the node flags `npm start` gives the sync worker
// (scripts/worker-heap.mjs): the bench re-runs itself in a child process started with them, so
// its figures are those of the worker as shipped. --no-worker-heap measures without them.
import { spawnSync } from "node:child_process";
import { workerNodeFlags } from "../scripts/worker-heap.mjs";

/**
 * Call first thing. In the parent: runs the same bench in a child with the worker's flags and
 * exits with its status. In that child (or with --no-worker-heap): returns what is in effect.
 */
export function underWorkerFlags(): string {
  if (process.argv.includes("--no-worker-heap")) return "no heap cap (--no-worker-heap; the worker runs with one)";
  const flags = workerNodeFlags();
  if (flags.length === 0) return "no heap cap (WORKER_MAX_HEAP_MB=0, as the worker would run)";
  if (process.env.DX_BENCH_UNDER_WORKER_FLAGS === "1") return `the worker's flags: ${flags.join(" ")} (WORKER_MAX_HEAP_MB)`;
  const r = spawnSync(process.execPath, [...flags, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, DX_BENCH_UNDER_WORKER_FLAGS: "1" },
  });
  process.exit(r.status ?? 1);
}
