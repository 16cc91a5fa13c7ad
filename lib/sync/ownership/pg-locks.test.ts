// The PostgreSQL advisory locks: one holder per profile; a peer finds the holder's session and
// ends it; the ended session reports the loss (its worker then fences every runner).
import { afterAll, describe, expect, it } from "vitest";
import { usePostgres } from "../../testing/postgres";
import { AdvisoryLocks, profileLockKey } from "./pg-locks";
import { waitFor } from "../test-support";

const pg = await usePostgres();
if (!pg.available) console.warn(`\n*** SKIPPING the advisory-lock tests: ${pg.reason} ***\n`);
afterAll(() => pg.cleanup());

describe.skipIf(!pg.available)("AdvisoryLocks", () => {
  it("gives a profile's lock to one session; a peer ends a silent holder's session and then gets it", async () => {
    const lost: string[] = [];
    const a = await AdvisoryLocks.connect(pg.url, (e) => lost.push(e.message));
    const b = await AdvisoryLocks.connect(pg.url, () => undefined);
    try {
      const id = "7d0c3a52-0000-4000-8000-000000000001";
      expect(await a.tryLock(id)).toBe(true);
      expect(await b.tryLock(id)).toBe(false);
      expect(await b.tryLock("another-profile")).toBe(true);
      expect(await AdvisoryLocks.holderPid(b, id)).toBe(a.backendPid);
      expect(await b.terminate(a.backendPid)).toBe(true);
      await waitFor(() => lost.length > 0, "the holder notices its session ended");
      await waitFor(() => b.tryLock(id), "the lock is free once the session is gone");
      expect(await AdvisoryLocks.holderPid(b, id)).toBe(b.backendPid);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("keys are stable 32-bit integers", () => {
    expect(profileLockKey("abc")).toBe(profileLockKey("abc"));
    expect(profileLockKey("abc")).not.toBe(profileLockKey("abd"));
    expect(Number.isInteger(profileLockKey("x")) && Math.abs(profileLockKey("x")) < 2 ** 31).toBe(true);
  });
});
