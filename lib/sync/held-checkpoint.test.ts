import { describe, expect, it } from "vitest";
import type { Db } from "../db";
import type { Destination, TargetTableSpec } from "../destinations/types";
import { HeldCheckpoint, mergeCheckpoint } from "./held-checkpoint";

const spec = { tableName: "account" } as TargetTableSpec;

function fake(holds: boolean) {
  const events: string[] = [];
  let due = false;
  const dest = {
    ...(holds
      ? {
          holdCommits: () => void events.push("hold"),
          commitDue: () => due,
          commit: async () => void events.push("commit"),
          releaseCommits: () => void events.push("release"),
        }
      : {}),
  } as unknown as Destination;
  const db = { profileTable: { update: async (a: { data: Record<string, unknown> }) => void events.push(`save ${JSON.stringify(a.data)}`) } } as unknown as Db;
  return { events, dest, db, setDue: (v: boolean) => (due = v) };
}

describe("held checkpoints", () => {
  it("adds pages up while the target holds commits and saves the sum only after its commit", async () => {
    const f = fake(true);
    const h = new HeldCheckpoint(f.db, "t1", f.dest, spec);
    expect(await h.add({ resumeLink: "p2", initialDoneInc: 10, success: 10, total: 10 })).toBe(false);
    expect(await h.add({ resumeLink: "p3", initialDoneInc: 5, success: 4, failure: 1, total: 5 })).toBe(false);
    f.setDue(true);
    expect(await h.add({ resumeLink: "p4", initialDoneInc: 7, success: 7, total: 7 })).toBe(true);
    f.setDue(false);
    expect(await h.add({ resumeLink: null, deltaLink: "d", initialDoneInc: 1, success: 1, total: 1, initialSyncState: "Completed" }, true)).toBe(true);
    await h.flush(); // nothing pending: no second commit
    h.release();
    expect(f.events).toEqual([
      "hold",
      "commit",
      `save ${JSON.stringify({ resumeLink: "p4", initialDone: { increment: 22 }, totalNotifications: { increment: 22 }, successNotifications: { increment: 21 }, failureNotifications: { increment: 1 } })}`,
      "commit",
      `save ${JSON.stringify({ resumeLink: null, deltaLink: "d", initialDone: { increment: 1 }, totalNotifications: { increment: 1 }, successNotifications: { increment: 1 }, initialSyncState: "Completed" })}`,
      "release",
    ]);
  });

  it("saves every page at once when the target commits each write (SQL targets)", async () => {
    const f = fake(false);
    const h = new HeldCheckpoint(f.db, "t1", f.dest, spec);
    expect(await h.add({ deltaLink: "a", success: 1, total: 1 })).toBe(true);
    expect(await h.add({ deltaLink: "b", success: 2, total: 2 })).toBe(true);
    h.release();
    expect(f.events).toHaveLength(2);
  });

  it("keeps the latest change time and the later links", () => {
    const a = new Date("2026-01-01T00:00:00Z");
    const b = new Date("2025-01-01T00:00:00Z");
    expect(mergeCheckpoint({ lastChangeAt: a, deltaLink: "x" }, { lastChangeAt: b })).toMatchObject({ lastChangeAt: a, deltaLink: "x" });
  });
});
