// Hashing must not take the main thread: at cost 12 each hash is ~300 ms of CPU, and on the main
// thread that CPU (even when bcryptjs chunks it) is taken from every other request.
import { performance } from "node:perf_hooks";
import { threadId } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { bcryptPool } from "./bcrypt-pool";
import { hashPassword, verifyPassword } from "./password";

afterAll(() => bcryptPool().close());

describe("password hashing", () => {
  it("hashes and verifies (long passphrases stay significant)", async () => {
    const long = "x".repeat(100);
    const hash = await hashPassword(long + "a");
    expect(hash).toMatch(/^\$2b\$12\$/);
    expect(await verifyPassword(long + "a", hash)).toBe(true);
    expect(await verifyPassword(long + "b", hash)).toBe(false);
    expect(await verifyPassword("anything", null)).toBe(false);
  });

  it("runs off the main thread: the event loop keeps ticking and the main thread stays idle", async () => {
    await hashPassword("warm-up"); // the worker's start-up is not what is measured
    const eluBefore = performance.eventLoopUtilization();
    const started = performance.now();
    let ticks = 0;
    let maxGap = 0;
    let last = started;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const hashes = await Promise.all([hashPassword("one"), hashPassword("two")]);
    clearInterval(timer);
    const elapsedMs = performance.now() - started;
    // This thread's event loop: busy (running JS) vs idle (waiting) over the same span.
    const elu = performance.eventLoopUtilization(eluBefore);
    expect(hashes).toHaveLength(2);
    expect(elapsedMs).toBeGreaterThan(100); // real cost-12 work was done meanwhile
    // A timer fired many times while the hashes ran...
    expect(ticks).toBeGreaterThan(5);
    // ...and this thread was mostly idle (bcryptjs on it keeps it busy: utilization near 1).
    expect(elu.utilization).toBeLessThan(0.5);
    expect(maxGap).toBeLessThan(elapsedMs);
    expect(bcryptPool().lastThreadId).not.toBe(threadId);
    expect(bcryptPool().lastThreadId).toBeGreaterThan(0);
  });
});
