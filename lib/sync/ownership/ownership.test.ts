// The one-runner rule in one process on a SQLite store: lease compare-and-set and takeover,
// fencing of every store write the engine makes (checkpoints, counters, table state, failures,
// markers, stats, profile state) and of target writes, and the assignment plan.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../db";
import { migrateStore } from "../../store/migrate";
import { usePostgres } from "../../testing/postgres";
import { tableSpecFor } from "../../destinations/columns";
import { SqliteDestination } from "../../destinations/sqlite";
import type { Destination, TargetTableSpec } from "../../destinations/types";
import { appendFailure } from "../failure-log";
import {
  clearFailedRecords, markFailedRecord, recordStat, saveCheckpoint, setProfileState, touchProfile, updateTable,
} from "../profile-store";
import { StatBuffer } from "../stat-buffer";
import { createProfile, makeStore, sqliteRows } from "../test-support";
import { planAssignment } from "./assign";
import { Fence, FencedError, fencedDb, fencedDestination, isFenced } from "./fence";
import { acquireLease, releaseLease, renewLease } from "./lease";
import { registerWorker } from "./registry";
import { storeProvider } from "./config";
import { OwnershipSession } from "./session";

const pgStore = await usePostgres();
if (!pgStore.available) console.warn(`\n*** SKIPPING the ownership tests on a PostgreSQL store: ${pgStore.reason} ***\n`);
afterAll(() => pgStore.cleanup());

const stores = [
  { store: "SQLite", skip: false, make: () => makeStore() },
  {
    store: "PostgreSQL",
    skip: !pgStore.available,
    make: () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-own-pg-"));
      process.env.DATA_DIR = dir;
      migrateStore(pgStore.url);
      return { dir, db: createDb(pgStore.url), url: pgStore.url };
    },
  },
];

describe.each(stores)("one runner per profile on a $store store", ({ skip, make }) => {
let db: Db;
let dir: string;
let url: string;
let profileId: string;
let tableId: string;

beforeAll(async () => {
  if (skip) return;
  ({ db, dir, url } = make());
  profileId = await createProfile(db, { name: "owned", source: "http://127.0.0.1:9", target: `sqlite:${path.join(dir, "t.db")}`, tables: ["account"] });
  tableId = (await db.profileTable.findFirstOrThrow({ where: { profileId } })).id;
});
afterAll(async () => {
  await db?.$disconnect();
});

describe.skipIf(skip)("lease", () => {
  it("is taken by one owner at a time; an expired lease is taken over with a new epoch; the old owner cannot renew", async () => {
    const a = await registerWorker(db, "worker", "worker-a");
    const b = await registerWorker(db, "worker", "worker-b");
    const now = new Date();
    const [ga, gb] = await Promise.all([
      acquireLease(db, profileId, a, { leaseMs: 10_000, now }),
      acquireLease(db, profileId, b, { leaseMs: 10_000, now }),
    ]);
    expect([ga, gb].filter(Boolean)).toHaveLength(1);
    const [winner, loser] = ga ? [a, b] : [b, a];
    const won = (ga ?? gb)!;
    expect(await acquireLease(db, profileId, loser, { leaseMs: 10_000, now: new Date(now.getTime() + 9_000) })).toBeNull();
    // Silent for longer than the lease: taken over, epoch + 1, recorded as a takeover.
    const later = new Date(now.getTime() + 11_000);
    const taken = await acquireLease(db, profileId, loser, { leaseMs: 10_000, now: later });
    expect(taken).toEqual({ epoch: won.epoch + 1, takeover: true });
    expect((await db.profile.findUniqueOrThrow({ where: { id: profileId } })).epoch).toBe(won.epoch + 1);
    expect(await renewLease(db, profileId, winner, won.epoch, 10_000)).toBe(false);
    expect(await renewLease(db, profileId, loser, taken!.epoch, 10_000)).toBe(true);
    // Released: free at once for anyone.
    expect(await releaseLease(db, profileId, loser, taken!.epoch)).toBe(true);
    const again = await acquireLease(db, profileId, winner, { leaseMs: 10_000 });
    expect(again).toEqual({ epoch: won.epoch + 2, takeover: false });
    const history = await db.leaseEvent.findMany({ where: { profileId }, orderBy: { id: "asc" } });
    expect(history.map((h) => [h.kind, h.ownerId, h.epoch])).toEqual([
      ["acquired", winner, won.epoch],
      ["takeover", loser, won.epoch + 1],
      ["released", loser, won.epoch + 1],
      ["acquired", winner, won.epoch + 2],
    ]);
    await releaseLease(db, profileId, winner, again!.epoch);
  });
});

describe.skipIf(skip)("dead owner on this host", () => {
  it("takes an unexpired lease at once from an owner whose process is gone (SQLite, one host), never from a live one", async () => {
    if (storeProvider(url) !== "sqlite") return; // PostgreSQL: the owner's advisory lock tells (pg-locks.test.ts, failover.test.ts)
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    await db.worker.create({ data: { id: "dead-local", host: os.hostname(), pid: Number(gone), version: "0", role: "cli" } });
    await db.worker.create({ data: { id: "live-local", host: os.hostname(), pid: process.ppid, version: "0", role: "worker" } });
    const id = await createProfile(db, { name: "dead-owner", source: "http://127.0.0.1:9", target: `sqlite:${path.join(dir, "d.db")}`, tables: ["account"] });
    const session = await OwnershipSession.open(db, { role: "worker", url, timings: { leaseMs: 60_000, heartbeatMs: 1000, pollMs: 1000 } });
    try {
      expect(await acquireLease(db, id, "live-local", { leaseMs: 60_000 })).not.toBeNull();
      expect(await session.tryAcquire(id)).toBeNull();
      await db.profileLease.update({ where: { profileId: id }, data: { ownerId: "dead-local" } });
      const fence = await session.tryAcquire(id);
      expect(fence).not.toBeNull();
      expect((await db.leaseEvent.findFirstOrThrow({ where: { profileId: id }, orderBy: { id: "desc" } })).kind).toBe("takeover");
    } finally {
      await session.close();
    }
  });
});

describe.skipIf(skip)("fencing", () => {
  const snapshot = async () => ({
    table: await db.profileTable.findUniqueOrThrow({ where: { id: tableId } }),
    profile: await db.profile.findUniqueOrThrow({ where: { id: profileId }, select: { state: true, lastSyncAt: true, lastError: true } }),
    failures: await db.failure.count({ where: { profileId } }),
    markers: await db.failedRecord.count({ where: { profileId } }),
    stats: await db.syncStat.findMany({ where: { profileId } }),
  });

  it("lets the current epoch write and refuses every engine write once another runner took over", async () => {
    const me = await registerWorker(db, "worker", "fenced-me");
    const other = await registerWorker(db, "worker", "fenced-other");
    const mine = (await acquireLease(db, profileId, me, { leaseMs: 60_000 }))!;
    const fence = new Fence(profileId, mine.epoch, me, storeProvider(url));
    const fdb = fencedDb(db, fence);
    // Holding the epoch: writes go through.
    await saveCheckpoint(fdb, tableId, { deltaLink: "d1", total: 1, success: 1 });
    await appendFailure(fdb, profileId, { entity: "account", recordId: "r1", changeType: "New", reason: "x" });
    // The array form of $transaction too (lib/sync/target-identity.ts uses it).
    const [n] = await fdb.$transaction([
      fdb.profileTable.updateMany({ where: { id: tableId }, data: { lastError: "batch" } }),
      fdb.profileTable.findUniqueOrThrow({ where: { id: tableId } }),
    ]);
    expect(n).toEqual({ count: 1 });
    expect((await db.profileTable.findUniqueOrThrow({ where: { id: tableId } })).deltaLink).toBe("d1");
    expect(fence.tripped).toBe(false);

    // Another runner takes over (the lease expired while this one was paused).
    await acquireLease(db, profileId, other, { leaseMs: 60_000, now: new Date(Date.now() + 120_000) });
    const before = await snapshot();
    const tripped: string[] = [];
    fence.onTrip((r) => tripped.push(r));
    const writes: [string, () => Promise<unknown>][] = [
      ["saveCheckpoint", () => saveCheckpoint(fdb, tableId, { deltaLink: "stale", total: 5, success: 5 })],
      ["updateTable", () => updateTable(fdb, tableId, { initialSyncState: "Failed", lastError: "stale" })],
      ["appendFailure", () => appendFailure(fdb, profileId, { entity: "account", recordId: "r2", changeType: "New", reason: "stale" })],
      ["markFailedRecord", () => markFailedRecord(fdb, profileId, { entity: "account", recordId: "r3", version: "1", changeType: "New", reason: "stale" })],
      ["clearFailedRecords", () => clearFailedRecords(fdb, profileId, "account", ["r1"])],
      ["recordStat", () => recordStat(fdb, profileId, "account", 10, 1)],
      ["StatBuffer.flush", async () => { const b = new StatBuffer((w, f, at) => recordStat(fdb, profileId, "account", w, f, at), 0); await b.add(3, 0); }],
      ["setProfileState", () => setProfileState(fdb, profileId, "failed", "stale")],
      ["touchProfile", () => touchProfile(fdb, profileId, { state: "active" })],
      ["interactive transaction", () => fdb.$transaction(async (tx) => tx.failure.create({ data: { profileId, entity: "account", recordId: "r4", changeType: "New", reason: "stale" } }))],
      ["array transaction", () => fdb.$transaction([fdb.profileTable.updateMany({ where: { id: tableId }, data: { deltaLink: "arr" } }), fdb.profile.update({ where: { id: profileId }, data: { lastError: "arr" } })])],
      ["raw write", () => fdb.$executeRaw`UPDATE "ProfileTable" SET "deltaLink" = 'raw' WHERE "id" = ${tableId}`],
    ];
    for (const [name, write] of writes) {
      const err = await write().then(() => null, (e: unknown) => e);
      expect(isFenced(err), `${name} must be refused`).toBe(true);
    }
    expect(tripped).toHaveLength(1);
    expect(await snapshot()).toEqual(before);
    // Reads still work (the runner may finish reading what it has in hand).
    expect((await fdb.profileTable.findUniqueOrThrow({ where: { id: tableId } })).deltaLink).toBe("d1");
  });

  it("checks the epoch before each target write batch", async () => {
    const me = await registerWorker(db, "worker", "target-me");
    const mine = (await acquireLease(db, profileId, me, { leaseMs: 60_000, now: new Date(Date.now() + 300_000) }))!;
    const fence = new Fence(profileId, mine.epoch, me, storeProvider(url));
    const file = path.join(dir, "fenced-target.db");
    const dest = fencedDestination(new SqliteDestination(file, { schemaName: "dbo", prefix: "" }), fence, db);
    const spec = tableSpecFor({
      table: { logicalName: "widget", schemaName: "Widget", entitySetName: "widgets", primaryIdAttribute: "widgetid", displayName: "Widget", changeTrackingEnabled: true, isIntersect: false },
      attributes: [
        { logicalName: "widgetid", kind: "Uniqueidentifier", typeName: "UniqueidentifierType", isPrimaryId: true, isValidForRead: true },
        { logicalName: "name", kind: "String", typeName: "StringType", maxLength: 100, isPrimaryId: false, isValidForRead: true },
      ],
    }, "");
    const id = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, "0")}`;
    await dest.prepare({ deleteLog: false });
    await dest.ensureTable(spec);
    await dest.upsert(spec, [{ id: id(1), version: "5", values: { widgetid: id(1), name: "new" } }]);
    const other = await registerWorker(db, "worker", "target-other");
    await acquireLease(db, profileId, other, { leaseMs: 60_000, now: new Date(Date.now() + 600_000) });
    const err = await dest.upsert(spec, [{ id: id(1), version: "4", values: { widgetid: id(1), name: "old" } }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FencedError);
    await expect(dest.delete(spec, [id(1)], false)).rejects.toBeInstanceOf(FencedError);
    await dest.close();
    expect(sqliteRows(file, "widget").map((r) => r.name)).toEqual(["new"]);
  });

  it("keeps a target's held-commit bookkeeping synchronous and fences only its commit", async () => {
    const me = await registerWorker(db, "worker", "hold-me");
    const mine = (await acquireLease(db, profileId, me, { leaseMs: 60_000, now: new Date(Date.now() + 900_000) }))!;
    const fence = new Fence(profileId, mine.epoch, me, storeProvider(url));
    const calls: string[] = [];
    let due = false;
    const staging = {
      holdCommits: () => void calls.push("hold"),
      commitDue: () => due,
      commit: async () => void calls.push("commit"),
      releaseCommits: () => void calls.push("release"),
    };
    const dest = fencedDestination(staging as unknown as Destination, fence, db);
    const spec = { tableName: "widget" } as TargetTableSpec;
    dest.holdCommits!(spec);
    // A Promise here would be truthy: every page would commit, and the engine would never hold.
    expect(dest.commitDue!(spec)).toBe(false);
    due = true;
    expect(dest.commitDue!(spec)).toBe(true);
    await dest.commit!(spec);
    const other = await registerWorker(db, "worker", "hold-other");
    await acquireLease(db, profileId, other, { leaseMs: 60_000, now: new Date(Date.now() + 1_200_000) });
    await expect(dest.commit!(spec)).rejects.toBeInstanceOf(FencedError);
    // Releasing drops staged rows (no target write): it must not reject, not even once fenced,
    // or the runner's finally block leaves an unhandled rejection behind.
    expect(dest.releaseCommits!(spec)).toBeUndefined();
    expect(calls).toEqual(["hold", "commit", "release"]);
  });
});

});

describe("planAssignment", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  const live = (owner: string) => ({ ownerId: owner, expiresAt: new Date(now.getTime() + 5000) });
  const profiles = (n: number, org = (i: number) => `org${i % 3}`) => Array.from({ length: n }, (_, i) => ({ id: `p${String(i).padStart(2, "0")}`, organizationId: org(i) }));

  it("caps each worker at ceil(active / live workers)", () => {
    const plan = planAssignment({ me: "a", now, active: profiles(12), leases: new Map(), liveWorkers: ["a", "b", "c"], held: [] });
    expect(plan.cap).toBe(4);
    expect(plan.acquire).toHaveLength(4);
  });

  it("prefers the organizations it already runs and leaves another worker's organization to it", () => {
    const active = profiles(6, (i) => (i < 3 ? "orgA" : "orgB"));
    const leases = new Map([["p00", live("a")], ["p03", live("b")]]);
    const planA = planAssignment({ me: "a", now, active, leases, liveWorkers: ["a", "b"], held: ["p00"] });
    expect(planA.acquire).toEqual(["p01", "p02"]);
    const planB = planAssignment({ me: "b", now, active, leases, liveWorkers: ["a", "b"], held: ["p03"] });
    expect(planB.acquire).toEqual(["p04", "p05"]);
  });

  it("takes the profiles of a silent worker (expired leases) and hands over above its share when a worker joins", () => {
    const active = profiles(4, () => "org");
    const expired = { ownerId: "dead", expiresAt: new Date(now.getTime() - 1) };
    const leases = new Map(active.map((p) => [p.id, expired]));
    expect(planAssignment({ me: "a", now, active, leases, liveWorkers: ["a"], held: [] }).acquire).toHaveLength(4);
    const joined = planAssignment({ me: "a", now, active, leases: new Map(active.map((p) => [p.id, live("a")])), liveWorkers: ["a", "b"], held: active.map((p) => p.id) });
    expect(joined.cap).toBe(2);
    expect(joined.release).toHaveLength(2);
  });
});
