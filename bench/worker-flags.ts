// Benchmarks of the engine's memory and speed measure the worker as shipped: compiled to JavaScript
// (as scripts/build-node.mjs compiles dist/worker) and under the node flags `npm start` gives it
// (scripts/worker-heap.mjs). The bench compiles itself into .bench-dist/ and re-runs in a child
// process started that way. Run from the sources under tsx instead, a process holds the loader's
// thread and a copy of every module's source and source map besides: ~25–40 MB more resident and
// more collector time than the worker (bench/lake.ts --format delta, 1,000,000 accounts).
//   --from-source     run the TypeScript sources under tsx, as before (what `npm run dev` runs)
//   --no-worker-heap  without the worker's heap flags
// BENCH_NODE_FLAGS adds node flags to the child (node refuses --cpu-prof in NODE_OPTIONS):
//   BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npx tsx bench/write.ts --no-pg
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { workerNodeFlags } from "../scripts/worker-heap.mjs";

const CHILD = "DX_BENCH_UNDER_WORKER_FLAGS";

/**
 * Call first thing. In the parent: runs the same bench in a child as described above and exits
 * with its status. In that child: returns what is in effect, for the bench's header.
 */
export async function underWorkerFlags(): Promise<string> {
  const fromSource = process.argv.includes("--from-source");
  const noHeap = process.argv.includes("--no-worker-heap");
  const flags = noHeap ? [] : workerNodeFlags();
  const extra = (process.env.BENCH_NODE_FLAGS ?? "").split(/\s+/).filter(Boolean);
  const heap = noHeap
    ? "no heap cap (--no-worker-heap; the worker runs with one)"
    : flags.length === 0
      ? "no heap cap (WORKER_MAX_HEAP_MB=0, as the worker would run)"
      : `the worker's flags: ${flags.join(" ")} (WORKER_MAX_HEAP_MB)`;
  const code = fromSource ? "TypeScript sources under tsx (--from-source)" : "compiled as dist/worker is";
  if (process.env[CHILD] === "1" || (fromSource && flags.length === 0 && extra.length === 0)) return `${heap}; ${code}`;

  // Imported here only: the compiled child must not load the compiler (nor count it in its RSS).
  const { nodeBundleOptions, root } = await import("../scripts/build-node.mjs");
  const { buildSync } = await import("esbuild");
  const name = path.basename(process.argv[1], ".ts");
  const out = path.join(root, ".bench-dist", `${name}-${process.pid}`);
  try {
    if (!fromSource) buildSync(nodeBundleOptions({ [name]: path.resolve(process.argv[1]) }, out));
    const entry = fromSource ? [...process.execArgv, process.argv[1]] : [path.join(out, `${name}.mjs`)];
    const r = spawnSync(process.execPath, [...flags, ...extra, ...entry, ...process.argv.slice(2)], {
      stdio: "inherit",
      env: { ...process.env, [CHILD]: "1" },
    });
    process.exitCode = r.status ?? 1;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  process.exit();
}
