// The engine end to end against the emulator, into SQLite: initial export of every attribute
// type, deltas, N:N, DeleteLog, schema change, long strings, poison records, re-sync of failed
// records, expired tokens, 429/503 storms, awkward values and file names.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorControl, type EmulatorControl } from "../../emulator/control";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import { runProfile } from "./profile-runner";
import { getProfileStatus, listFailedRecords, requestFailedRecordResync, requestTableResync } from "./profile-store";
import { exportFailures } from "./failure-log";
import { runWithRestarts } from "./supervisor";
import { createProfile, makeStore, rawLargeNumbers, sourceRows, sqliteRows, webApi } from "./test-support";

let emu: RunningEmulator;
let control: EmulatorControl;
let db: Db;
let dir: string;
let target: string;
let profileId: string;
let api: ReturnType<typeof webApi>;

// Quotes, brackets and a semicolon in the target path: nothing may be built by string pasting.
const fileName = `we'ird "name" [x]; y.db`;

const fastSource = (org: { url: string }) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 });
const once = () => runProfile(profileId, { db, sourceFactory: fastSource, pageSize: 40 }, { signal: new AbortController().signal, once: true });
const rows = (t: string) => sqliteRows(target, t);
const byId = (t: string) => new Map(rows(t).map((r) => [String(r.Id), r]));

beforeAll(async () => {
  ({ db, dir } = makeStore());
  emu = await startEmulator({ port: 0, records: 120, seed: 11 });
  control = emulatorControl(emu.url, emu.token);
  api = webApi(emu.url);
  target = path.join(dir, fileName);
  profileId = await createProfile(db, {
    name: "sqlite-e2e", source: emu.url, target: `sqlite:${target}`, prefix: "dx",
    tables: ["account", "contact", "lead", "cr0a1_project", "team"], relationships: ["accountleads_association"],
    deleteLog: true, retryCount: 2, retryInterval: 0,
  });
});
afterAll(async () => {
  await db.$disconnect();
  await emu.close();
});

describe("sync engine → SQLite", () => {
  it("exports every table and every attribute type, with label tables", async () => {
    const r = await once();
    expect(r.anyTableFailed).toBe(false);
    expect(fs.existsSync(target)).toBe(true);
    const src = await sourceRows(emu.url, "cr0a1_project", [
      "cr0a1_name", "cr0a1_budget", "cr0a1_hours", "cr0a1_margin", "cr0a1_ticketcount", "cr0a1_externalkey", "cr0a1_startdate",
      "cr0a1_isbillable", "cr0a1_notes", "cr0a1_region", "cr0a1_tags", "cr0a1_accountid", "statecode", "statuscode", "ownerid", "createdon",
    ]);
    const got = byId("dx_cr0a1_project");
    expect(got.size).toBe(src.size);
    expect(src.size).toBeGreaterThan(5);
    for (const [id, s] of src) {
      const t = got.get(id)!;
      expect(t, id).toBeDefined();
      expect(String(t.versionnumber)).toBe(s.version);
      expect(t.cr0a1_name).toBe(s.values.cr0a1_name);
      expect(Number(t.cr0a1_budget)).toBeCloseTo(Number(s.values.cr0a1_budget), 4);
      expect(t.cr0a1_hours).toBeCloseTo(Number(s.values.cr0a1_hours), 6);
      expect(Number(t.cr0a1_margin)).toBeCloseTo(Number(s.values.cr0a1_margin), 6);
      expect(String(t.cr0a1_ticketcount)).toBe(String(s.values.cr0a1_ticketcount));
      expect(t.cr0a1_externalkey).toBe(String(s.values.cr0a1_externalkey).toLowerCase());
      expect(String(t.cr0a1_startdate).slice(0, 10)).toBe(String(s.values.cr0a1_startdate).slice(0, 10));
      expect(t.cr0a1_isbillable).toBe(s.values.cr0a1_isbillable ? 1 : 0);
      expect(t.cr0a1_notes ?? null).toBe(s.values.cr0a1_notes ?? null);
      expect(t.cr0a1_region).toBe(s.values.cr0a1_region);
      expect(t.cr0a1_tags ?? null).toBe(s.values.cr0a1_tags ?? null);
      const lookup = s.values.cr0a1_accountid as { id: string; entityType: string };
      expect(t.cr0a1_accountid).toBe(lookup.id.toLowerCase());
      expect(t.cr0a1_accountid_entitytype).toBe("account");
      expect(["systemuser", "team"]).toContain(t.ownerid_entitytype);
      expect(Date.parse(String(t.createdon))).toBe(Date.parse(String(s.values.createdon)));
    }
    // Numbers a double cannot hold arrive digit for digit (SQLite: Decimal/Money as exact TEXT).
    const exact = await rawLargeNumbers(emu.url);
    expect(exact.size).toBe(src.size);
    const big = new Database(target, { readonly: true });
    big.defaultSafeIntegers(true);
    const stored = new Map((big.prepare(`select Id, cr0a1_exactrate, cr0a1_largeamount, cr0a1_largecounter from dx_cr0a1_project`).all() as Record<string, unknown>[]).map((r) => [String(r.Id), r]));
    big.close();
    for (const [id, w] of exact) {
      expect(w.rate.replace(/[-.]/g, "").length).toBeGreaterThanOrEqual(20);
      expect(BigInt(w.counter) > 2n ** 53n).toBe(true);
      expect(stored.get(id), id).toEqual({ Id: id, cr0a1_exactrate: w.rate, cr0a1_largeamount: w.amount, cr0a1_largecounter: BigInt(w.counter) });
    }
    expect(rows("dx_account").length).toBe((await sourceRows(emu.url, "account", ["name"])).size);
    expect(rows("dx_accountleads").length).toBe((await sourceRows(emu.url, "accountleads", ["accountid"])).size);
    const labels = new Database(target, { readonly: true });
    const industries = labels.prepare(`select count(*) n from OptionSetMetadata where EntityName = 'account' and OptionSetName = 'industrycode'`).get() as { n: number };
    const states = labels.prepare(`select count(*) n from StateMetadata where EntityName = 'lead'`).get() as { n: number };
    labels.close();
    expect(industries.n).toBe(6);
    expect(states.n).toBe(3);
    const status = await getProfileStatus(db, profileId);
    expect(status!.state).toBe("active");
    for (const t of status!.tables) {
      expect(t.initialSyncState, t.logicalName).toBe("Completed");
      expect(t.metadataState).toBe("Created");
      expect(t.initialDone).toBeGreaterThan(0);
      expect(t.successNotifications).toBe(t.totalNotifications);
    }
    expect(await db.syncStat.count({ where: { profileId } })).toBeGreaterThan(0);
  });

  it("a second run applies nothing when nothing changed", async () => {
    const r = await once();
    expect(r.tables.reduce((n, t) => n + t.upserts + t.deletes, 0)).toBe(0);
  });

  it("applies creates, updates, deletes and N:N associate/disassociate; logs deletes", async () => {
    const [a1, a2, a3] = await api.firstIds("accounts", "accountid", 3);
    const created = await api.create("accounts", { name: `O'Brien "quoted" ]; DROP TABLE dx_account; --`, numberofemployees: 7 }, "accountid");
    await api.update("accounts", a1, { name: "Renamed one" });
    await api.remove("accounts", a2);
    const [lead] = await api.firstIds("leads", "leadid", 1);
    await api.associate("accounts", a3, "accountleads_association", "leads", lead);
    const r = await once();
    expect(r.tables.find((t) => t.logicalName === "account")).toMatchObject({ upserts: 2, deletes: 1, failed: 0 });
    const acc = byId("dx_account");
    expect(acc.get(created)!.name).toBe(`O'Brien "quoted" ]; DROP TABLE dx_account; --`);
    expect(acc.get(a1)!.name).toBe("Renamed one");
    expect(acc.has(a2)).toBe(false);
    const pair = rows("dx_accountleads").find((x) => x.accountid === a3 && x.leadid === lead);
    expect(pair).toBeDefined();
    const log = rows("DeleteLog");
    expect(log.filter((x) => x.RecordId === a2)).toHaveLength(1);
    expect(log[0]).toMatchObject({ EntityName: "account" });

    await api.disassociate("accounts", a3, "accountleads_association", lead);
    await once();
    expect(rows("dx_accountleads").find((x) => x.accountid === a3 && x.leadid === lead)).toBeUndefined();
    expect(rows("DeleteLog").filter((x) => x.RecordId === pair!.Id && x.EntityName === "accountleads")).toHaveLength(1);
  });

  it("a new source attribute becomes a new column, filled for existing rows", async () => {
    const [a] = await api.firstIds("accounts", "accountid", 1);
    await control.addAttribute("account", { logicalName: "cr0a1_score", kind: "Integer" });
    await control.setFields("account", a, { cr0a1_score: 42 });
    await once();
    const acc = byId("dx_account");
    expect(acc.get(a)!.cr0a1_score).toBe(42);
    expect([...acc.values()].filter((x) => x.cr0a1_score === null).length).toBe(acc.size - 1);
  });

  it("a string longer than its MaxLength is stored whole", async () => {
    const [p] = await api.firstIds("cr0a1_projects", "cr0a1_projectid", 1);
    const long = "L".repeat(450);
    await api.update("cr0a1_projects", p, { cr0a1_name: long }, true);
    const r = await once();
    expect(r.tables.find((t) => t.logicalName === "cr0a1_project")!.failed).toBe(0);
    expect(byId("dx_cr0a1_project").get(p)!.cr0a1_name).toBe(long);
  });

  it("a poison record yields exactly one failure entry after the retries; others go on; retried when it changes or on request", async () => {
    const t = new Database(target);
    t.exec(`create trigger poison_u before update on dx_account when new.name like 'POISON%' begin select raise(abort, 'rejected by trigger'); end;
            create trigger poison_i before insert on dx_account when new.name like 'POISON%' begin select raise(abort, 'rejected by trigger'); end;`);
    t.close();
    const [bad, good] = (await api.firstIds("accounts", "accountid", 5)).slice(3);
    await api.update("accounts", bad, { name: "POISON 1" });
    await api.update("accounts", good, { name: "fine" });
    const before = await db.failure.count({ where: { profileId } });
    const r1 = await once();
    expect(r1.tables.find((x) => x.logicalName === "account")).toMatchObject({ upserts: 1, failed: 1 });
    expect(byId("dx_account").get(good)!.name).toBe("fine");
    const entries = await db.failure.findMany({ where: { profileId, id: { gt: 0 } }, orderBy: { id: "asc" } });
    expect(entries.length - before).toBe(1);
    const last = entries[entries.length - 1];
    expect(last).toMatchObject({ entity: "account", recordId: bad, changeType: "Update" });
    expect(last.reason).toMatch(/rejected by trigger/);
    const lines: string[] = [];
    for await (const l of exportFailures(db, profileId, "des")) lines.push(l);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^Entity: account, RecordId: ${bad}, NotificationTime: \\d{1,2}/\\d{1,2}/\\d{4} \\d{1,2}:\\d\\d:\\d\\d [AP]M, ChangeType: Update, FailureReason: .*rejected by trigger`));
    expect(await listFailedRecords(db, profileId)).toEqual([expect.objectContaining({ entity: "account", recordId: bad })]);

    // Unchanged at the source: not tried again, no new entry, even after a table re-export.
    await requestTableResync(db, profileId, "account");
    const r2 = await once();
    expect(r2.tables.find((x) => x.logicalName === "account")!.skipped).toBe(1);
    expect(await db.failure.count({ where: { profileId } })).toBe(before + 1);

    // Changed at the source (still poison): tried again, one more entry.
    await api.update("accounts", bad, { name: "POISON 2" });
    await once();
    expect(await db.failure.count({ where: { profileId } })).toBe(before + 2);

    // The admin fixes the target and asks for a re-sync of failed records.
    const fix = new Database(target);
    fix.exec("drop trigger poison_u; drop trigger poison_i;");
    fix.close();
    await requestFailedRecordResync(db, profileId);
    await once();
    expect(byId("dx_account").get(bad)!.name).toBe("POISON 2");
    expect(await listFailedRecords(db, profileId)).toEqual([]);
    // The log is write-only: the entries stay.
    expect(await db.failure.count({ where: { profileId } })).toBe(before + 2);
    expect((await db.profile.findUnique({ where: { id: profileId } }))!.resyncFailedRequested).toBe(false);
  });

  it("a failed record is tried again when its table's schema changes", async () => {
    const t = new Database(target);
    t.exec(`create trigger poison_u2 before update on dx_account when new.name like 'TOXIC%' begin select raise(abort, 'still rejected'); end;`);
    t.close();
    const [, , , , , bad] = await api.firstIds("accounts", "accountid", 6);
    await api.update("accounts", bad, { name: "TOXIC" });
    const before = await db.failure.count({ where: { profileId } });
    await once();
    expect(await db.failure.count({ where: { profileId } })).toBe(before + 1);
    await once();
    expect(await db.failure.count({ where: { profileId } })).toBe(before + 1);
    await control.addAttribute("account", { logicalName: "cr0a1_extra", kind: "String", maxLength: 10 });
    await once();
    // Retried (same version, new schema), still rejected: exactly one more entry, marker back.
    expect(await db.failure.count({ where: { profileId } })).toBe(before + 2);
    expect((await listFailedRecords(db, profileId)).map((f) => f.recordId)).toEqual([bad]);
    const fix = new Database(target);
    fix.exec("drop trigger poison_u2;");
    fix.close();
    await requestFailedRecordResync(db, profileId);
    await once();
    expect(byId("dx_account").get(bad)!.name).toBe("TOXIC");
    expect(await listFailedRecords(db, profileId)).toEqual([]);
  });

  it("an expired delta token re-exports that table alone", async () => {
    const [a, b] = await api.firstIds("accounts", "accountid", 2);
    await control.expireDeltaTokens();
    await api.update("accounts", a, { name: "after expiry" });
    const r = await once();
    const acc = r.tables.find((t) => t.logicalName === "account")!;
    expect(acc.upserts).toBeGreaterThan(50);
    expect(byId("dx_account").get(a)!.name).toBe("after expiry");
    // Afterwards deltas work again from the new token.
    await api.update("accounts", b, { name: "next delta" });
    const r2 = await once();
    expect(r2.tables.find((t) => t.logicalName === "account")!.upserts).toBe(1);
    expect(byId("dx_account").get(b)!.name).toBe("next delta");
  });

  it("rides out 429 storms and 503s (client waits, supervisor restarts with fresh connections)", async () => {
    const [a] = await api.firstIds("accounts", "accountid", 1);
    await api.update("accounts", a, { name: "through the storm" });
    await control.injectFaults({ status: 429, count: 4, retryAfterSeconds: 0 });
    await once();
    expect(byId("dx_account").get(a)!.name).toBe("through the storm");

    await api.update("accounts", a, { name: "through 503s" });
    await control.injectFaults({ status: 503, count: 7 });
    let attempts = 0;
    await runWithRestarts(
      () => {
        attempts++;
        return once();
      },
      { signal: new AbortController().signal, maxAttempts: 10, sleep: async () => undefined },
    );
    expect(attempts).toBeGreaterThan(1);
    expect(byId("dx_account").get(a)!.name).toBe("through 503s");
    expect((await control.status()).fault).toBeNull();
  });

  it("a table that cannot be exported gets one N/A entry and fails alone; others go on", async () => {
    // The portal could store a table the CLI's pre-flight check would refuse.
    await db.profileTable.create({ data: { profileId, logicalName: "activitypointer" } });
    const before = await db.failure.count({ where: { profileId } });
    const r = await once();
    expect(r.anyTableFailed).toBe(true);
    expect(r.tables.find((t) => t.logicalName === "activitypointer")).toMatchObject({ state: "Failed" });
    expect(r.tables.filter((t) => t.state === "Completed").length).toBe(6);
    const entry = await db.failure.findFirstOrThrow({ where: { profileId }, orderBy: { id: "desc" } });
    expect(entry).toMatchObject({ entity: "activitypointer", recordId: "N/A", changeType: "Trigger Initial Export" });
    expect(entry.reason).toMatch(/not enabled for change tracking/);
    await once();
    expect(await db.failure.count({ where: { profileId } })).toBe(before + 1);
    const t = (await getProfileStatus(db, profileId))!.tables.find((x) => x.logicalName === "activitypointer")!;
    expect(t).toMatchObject({ metadataState: "Failed", initialSyncState: "Failed" });
    await db.profileTable.update({ where: { profileId_logicalName: { profileId, logicalName: "activitypointer" } }, data: { enabled: false } });
  });

  it("ends equal to the source, row for row", async () => {
    for (const [table, tname] of [["account", "dx_account"], ["contact", "dx_contact"], ["accountleads", "dx_accountleads"]] as const) {
      const src = await sourceRows(emu.url, table, ["versionnumber"]);
      const got = byId(tname);
      expect([...got.keys()].sort()).toEqual([...src.keys()].sort());
      for (const [id, s] of src) expect(String(got.get(id)!.versionnumber), `${table} ${id}`).toBe(s.version);
    }
  });
});
