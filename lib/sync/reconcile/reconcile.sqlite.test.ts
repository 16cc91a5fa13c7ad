// Reconciliation end to end against the emulator, into SQLite: equal after a sync; missing, extra
// and stale rows found with samples after the target and the source drift apart; repair makes
// them equal again (extra rows to DeleteLog); requests run by the profile's runner beside its
// delta loop and stored per table.
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../../emulator/server";
import type { Db } from "../../db";
import { DataverseClient } from "../../dataverse/client";
import type { IdVersion, TableInfo } from "../../dataverse/types";
import { runProfile } from "../profile-runner";
import { createProfile, makeStore, sqliteRows, waitFor, webApi } from "../test-support";
import { reconcileProfile } from "./reconcile-profile";
import { scheduleIfDue } from "./schedule";
import { latestReconciliation, requestReconciliation } from "./store";

let emu: RunningEmulator;
let db: Db;
let dir: string;
let target: string;
let profileId: string;
let api: ReturnType<typeof webApi>;

const fastSource = (org: { url: string }) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 });
const once = () => runProfile(profileId, { db, sourceFactory: fastSource, pageSize: 100 }, { signal: new AbortController().signal, once: true });
const reconcile = (repair = false) => reconcileProfile(db, profileId, { sourceFactory: fastSource, repair, pageSize: 70 });
const sql = (text: string) => {
  const d = new Database(target);
  try {
    d.exec(text);
  } finally {
    d.close();
  }
};

beforeAll(async () => {
  ({ db, dir } = makeStore());
  emu = await startEmulator({ port: 0, records: 300, seed: 5 });
  api = webApi(emu.url);
  target = path.join(dir, "target.db");
  profileId = await createProfile(db, {
    name: "reconcile-e2e", source: emu.url, target: `sqlite:${target}`, prefix: "rc",
    tables: ["account", "contact"], relationships: ["accountleads_association"], deleteLog: true,
  });
  expect((await once()).anyTableFailed).toBe(false);
});
afterAll(async () => {
  await db.$disconnect();
  await emu.close();
});

describe("reconciliation → SQLite", () => {
  it("finds a synced target equal to the source, table by table", async () => {
    const r = await reconcile();
    expect(r.tables.map((t) => t.logicalName)).toEqual(["account", "accountleads_association", "contact"]);
    for (const t of r.tables) {
      expect(t).toMatchObject({ missing: 0, extra: 0, stale: 0, error: null });
      expect(t.sourceCount).toBeGreaterThan(0);
      expect(t.targetCount).toBe(t.sourceCount);
    }
    expect(r.equal).toBe(true);
  });

  it("reports missing, extra and stale rows with samples, and repair makes the target equal", async () => {
    const ids = sqliteRows(target, "rc_account").map((r) => String(r.Id)).sort();
    const [m1, m2, m3, s1, s2, goneAtSource] = [ids[3], ids[40], ids[77], ids[100], ids[120], ids[150]];
    const fake1 = "11111111-2222-3333-4444-555555555555";
    const fake2 = "0badc0de-0000-0000-0000-000000000001";
    sql(`delete from rc_account where Id in ('${m1}','${m2}','${m3}');
      insert into rc_account (Id, versionnumber, name) values ('${fake1}', 5, 'not at the source'), ('${fake2}', 6, 'nor this');
      update rc_account set versionnumber = 1 where Id in ('${s1}','${s2}');`);
    // The source changes too, with no sync in between: one created, one deleted.
    const created = (await api.create("accounts", { name: "Created while nobody synced" }, "accountid")).toLowerCase();
    await api.remove("accounts", goneAtSource);

    const r = await reconcile();
    const account = r.tables.find((t) => t.logicalName === "account")!;
    expect(account).toMatchObject({ missing: 4, extra: 3, stale: 2, repaired: false, error: null });
    expect([...account.samples.missing].sort()).toEqual([m1, m2, m3, created].sort());
    expect([...account.samples.extra].sort()).toEqual([fake1, fake2, goneAtSource].sort());
    expect([...account.samples.stale].sort()).toEqual([s1, s2].sort());
    expect(r.equal).toBe(false);
    expect(r.tables.filter((t) => t.logicalName !== "account").every((t) => t.missing + t.extra + t.stale === 0)).toBe(true);

    const fixed = await reconcile(true);
    expect(fixed.tables.find((t) => t.logicalName === "account")).toMatchObject({ repaired: true, repairedRows: 9, repairFailed: 0 });
    const after = await reconcile();
    expect(after.equal).toBe(true);
    const rows = new Map(sqliteRows(target, "rc_account").map((r) => [String(r.Id), r]));
    expect(rows.has(created) && rows.has(m1) && !rows.has(fake1) && !rows.has(goneAtSource)).toBe(true);
    const logged = sqliteRows(target, "DeleteLog").filter((r) => r.EntityName === "account").map((r) => String(r.RecordId));
    expect(logged).toEqual(expect.arrayContaining([fake1, fake2, goneAtSource]));
  });

  it("runs a stored request in the worker beside the delta loop, which keeps going", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let listing = false;
    // The source's id listing hangs until released: a very long reconciliation.
    const slowSource = (org: { url: string }) => {
      const client = fastSource(org);
      const inner = client.readIdVersions.bind(client);
      client.readIdVersions = (table: TableInfo, opts?: { pageSize?: number; signal?: AbortSignal }) =>
        (async function* (): AsyncGenerator<IdVersion[]> {
          listing = true;
          await gate;
          yield* inner(table, opts);
        })();
      return client;
    };
    sql(`update rc_account set versionnumber = 2 where Id = (select Id from rc_account order by Id limit 1)`);
    const reqId = await requestReconciliation(db, profileId, { trigger: "api", tables: ["account"], repair: true });
    const stop = new AbortController();
    const running = runProfile(profileId, { db, sourceFactory: slowSource, pageSize: 100, intervalMs: 50, sidePollMs: 50 }, { signal: stop.signal });
    try {
      await waitFor(() => listing, "the reconciliation to start");
      expect((await latestReconciliation(db, profileId))).toMatchObject({ id: reqId, status: "running" });
      // Deltas still flow while the reconciliation is stuck.
      const id = (await api.create("accounts", { name: "During a long reconciliation" }, "accountid")).toLowerCase();
      await waitFor(() => sqliteRows(target, "rc_account").some((r) => r.Id === id), "the delta loop to write the new account");
      release();
      const done = await waitFor(async () => {
        const r = await latestReconciliation(db, profileId);
        return r?.status === "done" || r?.status === "failed" ? r : null;
      }, "the reconciliation to finish");
      expect(done).toMatchObject({ id: reqId, status: "done", trigger: "api", repair: true, stale: 1, extra: 0 });
      expect(done!.durationMs).toBeGreaterThan(0);
      // The target's first page was listed when the comparison began, before the delta wrote the
      // new account: a comparison of a live system may count such a row as missing (and the
      // repair rewrites it, harmlessly). Only that row may be.
      const [account] = done!.results;
      expect(account).toMatchObject({ logicalName: "account", stale: 1, repaired: true, repairFailed: 0 });
      expect(account.samples.missing.filter((m) => m !== id)).toEqual([]);
      expect(account.repairedRows).toBe(1 + account.missing);
      expect(account.samples.stale).toHaveLength(1);
    } finally {
      release();
      stop.abort();
      await running.catch(() => undefined);
    }
    expect((await reconcile()).equal).toBe(true);
  }, 60_000);

  it("files a schedule request when a slot is due, once, and only when the tables are exported", async () => {
    await db.profile.update({ where: { id: profileId }, data: { reconcileScheduleEnabled: true, reconcileTimeUtc: "02:00", reconcileEveryHours: null } });
    const last = (await latestReconciliation(db, profileId))!.requestedAt;
    // The first 02:00 UTC after the last reconciliation: that day's when it ran before 02:00.
    const sameDay = Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), last.getUTCDate(), 2, 0);
    const slot = sameDay > last.getTime() ? sameDay : sameDay + 24 * 3600_000;
    const beforeSlot = new Date(slot - 60_000);
    const afterSlot = new Date(slot + 60_000);
    expect(await scheduleIfDue(db, profileId, beforeSlot)).toBeNull();
    await db.profile.update({ where: { id: profileId }, data: { reconcileScheduleEnabled: false } });
    expect(await scheduleIfDue(db, profileId, afterSlot)).toBeNull();
    await db.profile.update({ where: { id: profileId }, data: { reconcileScheduleEnabled: true } });
    const table = await db.profileTable.findFirstOrThrow({ where: { profileId, logicalName: "contact" } });
    await db.profileTable.update({ where: { id: table.id }, data: { initialSyncState: "InProgress" } });
    expect(await scheduleIfDue(db, profileId, afterSlot)).toBeNull();
    await db.profileTable.update({ where: { id: table.id }, data: { initialSyncState: table.initialSyncState } });
    const id = await scheduleIfDue(db, profileId, afterSlot);
    expect(id).not.toBeNull();
    expect(await latestReconciliation(db, profileId)).toMatchObject({ id, trigger: "schedule", status: "requested", tables: null, repair: false });
    // Queued already: not filed twice.
    expect(await scheduleIfDue(db, profileId, new Date(afterSlot.getTime() + 60_000))).toBeNull();
    await db.reconciliation.delete({ where: { id: id! } });
  });

  it("re-syncs failed records beside the delta loop, which keeps going (defect 3)", async () => {
    const ids = sqliteRows(target, "rc_account").map((r) => String(r.Id)).slice(0, 3);
    await db.failedRecord.createMany({ data: ids.map((recordId) => ({ profileId, entity: "account", recordId, version: "0", changeType: "Update", reason: "refused" })) });
    await db.profile.update({ where: { id: profileId }, data: { resyncFailedRequested: true } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let fetching = false;
    const slowSource = (org: { url: string }) => {
      const client = fastSource(org);
      const inner = client.fetchRecords.bind(client);
      client.fetchRecords = async (...args: Parameters<typeof inner>) => {
        fetching = true;
        await gate;
        return inner(...args);
      };
      return client;
    };
    const stop = new AbortController();
    const running = runProfile(profileId, { db, sourceFactory: slowSource, pageSize: 100, intervalMs: 50, sidePollMs: 50 }, { signal: stop.signal });
    try {
      await waitFor(() => fetching, "the re-sync to fetch");
      const id = (await api.create("accounts", { name: "During a stuck re-sync" }, "accountid")).toLowerCase();
      await waitFor(() => sqliteRows(target, "rc_account").some((r) => r.Id === id), "the delta loop to write the new account");
      expect(await db.failedRecord.count({ where: { profileId } })).toBe(3);
      release();
      await waitFor(async () => !(await db.profile.findUniqueOrThrow({ where: { id: profileId } })).resyncFailedRequested, "the re-sync to finish");
      expect(await db.failedRecord.count({ where: { profileId } })).toBe(0);
    } finally {
      release();
      stop.abort();
      await running.catch(() => undefined);
    }
  }, 60_000);
});
