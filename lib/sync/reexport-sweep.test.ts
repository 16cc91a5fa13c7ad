// Defects 5 and 6 of issue 10: a re-export sweeps the rows deleted at the source meanwhile (with
// DeleteLog), a crash mid-re-export sweeps nothing wrongly; a column added at the source is
// backfilled without a re-export; a column removed at the source stops being read — no crash loop.
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorControl, type EmulatorControl } from "../../emulator/control";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import { DataverseUnavailableError } from "../dataverse/errors";
import type { ChangeSource } from "../dataverse/types";
import { runProfile } from "./profile-runner";
import { loadProfile, requestTableResync } from "./profile-store";
import { superviseProfile } from "./supervisor";
import { createProfile, makeStore, sourceRows, sqliteRows, waitFor, webApi } from "./test-support";

let emu: RunningEmulator;
let control: EmulatorControl;
let db: Db;
let dir: string;
let api: ReturnType<typeof webApi>;
const client = (org: { url: string }) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 });
const once = (id: string, sourceFactory: (org: { url: string }) => ChangeSource = client) =>
  runProfile(id, { db, sourceFactory, pageSize: 20 }, { signal: new AbortController().signal, once: true });
const ids = (file: string, table: string) => new Set(sqliteRows(file, table).map((r) => String(r.Id)));
const sourceIds = async (table: string) => new Set((await sourceRows(emu.url, table, [`${table}id`])).keys());
const deleteLog = (file: string) => sqliteRows(file, "DeleteLog").map((r) => String(r.RecordId));
const account = (r: { tables: { logicalName: string; upserts: number; deletes: number }[] }) => r.tables.find((t) => t.logicalName === "account")!;

beforeAll(async () => {
  ({ db, dir } = makeStore());
  emu = await startEmulator({ port: 0, records: 80, seed: 31 });
  control = emulatorControl(emu.url, emu.token);
  api = webApi(emu.url);
});
afterAll(async () => {
  await db.$disconnect();
  await emu.close();
});

async function exported(name: string): Promise<{ id: string; file: string }> {
  const file = path.join(dir, `${name}.db`);
  const id = await createProfile(db, { name, source: emu.url, target: `sqlite:${file}`, prefix: "sw", tables: ["account"], deleteLog: true, retryInterval: 0 });
  await once(id);
  expect(ids(file, "sw_account")).toEqual(await sourceIds("account"));
  return { id, file };
}

/** Rows the source no longer has, planted in the target as if their deletes had been missed. */
function plantOrphans(file: string, n: number): string[] {
  const t = new Database(file);
  const orphans = Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(900000000000 + i)}`);
  const ins = t.prepare(`insert into sw_account ("Id", "versionnumber", "name") values (?, 1, 'orphan')`);
  for (const o of orphans) ins.run(o);
  t.close();
  return orphans;
}

describe("re-exports sweep rows deleted at the source meanwhile", () => {
  it("after an expired delta token: the rows deleted in the gap go, with DeleteLog entries", async () => {
    const { id, file } = await exported("expired");
    const orphans = plantOrphans(file, 3);
    await control.expireDeltaTokens();
    const r = await once(id);
    expect(ids(file, "sw_account")).toEqual(await sourceIds("account"));
    expect(deleteLog(file)).toEqual(expect.arrayContaining(orphans));
    expect(account(r).deletes).toBeGreaterThanOrEqual(3);
  });

  it("after a Re-sync of the table", async () => {
    const { id, file } = await exported("resync");
    const orphans = plantOrphans(file, 2);
    await requestTableResync(db, id, "account");
    await once(id);
    expect(ids(file, "sw_account")).toEqual(await sourceIds("account"));
    expect(deleteLog(file)).toEqual(expect.arrayContaining(orphans));
  });

  it("a crash mid-re-export sweeps nothing; the resumed re-export sweeps exactly the unseen rows", async () => {
    const { id, file } = await exported("crash");
    const orphans = plantOrphans(file, 2);
    await requestTableResync(db, id, "account");
    // A source that fails after two pages of the re-export, once.
    let pages = 0;
    const failing = (org: { url: string }): ChangeSource => {
      const c = client(org);
      const read = c.readChanges.bind(c);
      c.readChanges = (table, opts) =>
        (async function* () {
          for await (const p of read(table, opts)) {
            if (!opts.from && ++pages > 2) throw new DataverseUnavailableError("connection dropped mid re-export", 0);
            yield p;
          }
        })();
      return c;
    };
    await expect(once(id, failing)).rejects.toThrow(/connection dropped/);
    const mid = await loadProfile(db, id);
    expect(mid!.tables[0]).toMatchObject({ initialSyncState: "InProgress", sweepPending: true });
    const now = ids(file, "sw_account");
    for (const o of orphans) expect(now.has(o)).toBe(true);
    expect(now.size).toBe((await sourceIds("account")).size + orphans.length);
    await once(id);
    expect(ids(file, "sw_account")).toEqual(await sourceIds("account"));
    expect((await loadProfile(db, id))!.tables[0]).toMatchObject({ initialSyncState: "Completed", sweepPending: false });
    expect(sqliteRows(file, "DataverseExportSeen")).toEqual([]);
  });

  it("a first export into an empty table records no seen ids", async () => {
    const { file } = await exported("fresh");
    expect(sqliteRows(file, "sqlite_master").filter((r) => r.name === "DataverseExportSeen")).toEqual([]);
  });
});

describe("schema changes at the source without a re-export", () => {
  it("an added column is backfilled (only id, version and the new column read), then deltas go on", async () => {
    const { id, file } = await exported("added");
    const [a, b] = await api.firstIds("accounts", "accountid", 2);
    await control.addAttribute("account", { logicalName: "sw_added", kind: "Integer" });
    await control.setFields("account", a, { sw_added: 7 });
    const before = (await loadProfile(db, id))!.tables[0];
    const r = await once(id);
    const after = (await loadProfile(db, id))!.tables[0];
    // No re-export: the initial-export counters did not move, only the changed row came as a delta.
    expect(account(r).upserts).toBe(1);
    expect(after.initialDone).toBe(before.initialDone);
    const rows = new Map(sqliteRows(file, "sw_account").map((x) => [String(x.Id), x]));
    expect(rows.get(a)!.sw_added).toBe(7);
    await control.setFields("account", b, { sw_added: 8 });
    const r2 = await once(id);
    expect(account(r2).upserts).toBe(1);
    expect(new Map(sqliteRows(file, "sw_account").map((x) => [String(x.Id), x])).get(b)!.sw_added).toBe(8);
  });

  it("a removed column stops being read: no re-export, the column stays, new rows hold null; no crash loop while running", async () => {
    const { id, file } = await exported("removed");
    const [a] = await api.firstIds("accounts", "accountid", 1);
    const kept = new Map(sqliteRows(file, "sw_account").map((x) => [String(x.Id), x])).get(a)!.accountnumber;
    expect(kept).not.toBeNull();
    const logs: string[] = [];
    const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
    const controller = new AbortController();
    let created = "";
    // A long-running runner with no periodic schema check: its saved link still names the column.
    const running = superviseProfile(id, { db, log, sourceFactory: client, pageSize: 20, intervalMs: 30, schemaCheckEvery: 1_000_000 }, controller.signal);
    try {
      await waitFor(async () => (await db.profile.findUnique({ where: { id } }))?.state === "active", "runner active");
      await control.removeAttribute("account", "accountnumber");
      created = await api.create("accounts", { name: "after removal" }, "accountid");
      await waitFor(() => ids(file, "sw_account").has(created), "the new account arrives");
    } finally {
      controller.abort();
      await running;
    }
    const rows = new Map(sqliteRows(file, "sw_account").map((x) => [String(x.Id), x]));
    expect(rows.get(a)!.accountnumber).toBe(kept);
    expect(rows.get(created)!.accountnumber).toBeNull();
    const t = (await loadProfile(db, id))!.tables[0];
    expect(t).toMatchObject({ initialSyncState: "Completed", lastError: null });
    expect(t.deltaLink).not.toMatch(/accountnumber/);
    expect(await db.failure.count({ where: { profileId: id } })).toBe(0);
    expect(logs.some((m) => /removed at the source|schema changed/i.test(m))).toBe(true);
    expect(logs.some((m) => /re-exporting/i.test(m))).toBe(false);
  });
});
