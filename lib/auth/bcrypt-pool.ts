import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";

// A tiny worker-thread pool for bcryptjs (written here rather than adding a pool package: two
// operations, a queue and a worker count). The worker's code is inline (eval) so that it works
// the same under Next.js bundling, tsx and Vitest, where a worker file path would differ.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createRequire } = require("node:module");
const bcrypt = createRequire(workerData.from)("bcryptjs");
parentPort.on("message", ({ id, job }) => {
  try {
    const result = job.op === "hash" ? bcrypt.hashSync(job.password, job.cost) : bcrypt.compareSync(job.password, job.hash);
    parentPort.postMessage({ id, result, threadId: require("node:worker_threads").threadId });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
`;

export type BcryptJob = { op: "hash"; password: string; cost: number } | { op: "compare"; password: string; hash: string };
type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Slot = { worker: Worker; busy: number };

export class BcryptPool {
  private slots: Slot[] = [];
  private pending = new Map<number, Pending & { slot: Slot }>();
  private nextId = 1;
  /** The thread of the last finished job: lets a test prove the work left the main thread. */
  lastThreadId = 0;

  constructor(private readonly size = Math.max(1, Math.min(2, os.availableParallelism() - 1))) {}

  run(job: BcryptJob): Promise<unknown> {
    const slot = this.pick();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      slot.busy++;
      // Keep the process alive only while a job is running (CLI scripts, tests exit when idle).
      slot.worker.ref();
      slot.worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private pick(): Slot {
    if (this.slots.length < this.size) return this.spawn();
    return this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  private spawn(): Slot {
    // Resolve bcryptjs from the project root: bundlers rewrite this module's own location.
    const from = path.join(process.cwd(), "package.json");
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { from } });
    const slot: Slot = { worker, busy: 0 };
    worker.unref();
    worker.on("message", (msg: { id: number; result?: unknown; error?: string; threadId?: number }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (--slot.busy === 0) worker.unref();
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else {
        this.lastThreadId = msg.threadId ?? 0;
        p.resolve(msg.result);
      }
    });
    const fail = (err: Error) => {
      // A dead worker fails its jobs (the sign-in is refused, not hung) and leaves the pool.
      this.slots = this.slots.filter((s) => s !== slot);
      for (const [id, p] of this.pending) {
        if (p.slot !== slot) continue;
        this.pending.delete(id);
        p.reject(err);
      }
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`bcrypt worker exited (${code})`)));
    this.slots.push(slot);
    return slot;
  }
}

// One pool per process; Next.js dev reloads modules, so keep it on globalThis.
const globalForPool = globalThis as unknown as { __dxBcryptPool?: BcryptPool };
export function bcryptPool(): BcryptPool {
  return (globalForPool.__dxBcryptPool ??= new BcryptPool());
}
