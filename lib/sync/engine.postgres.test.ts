// The engine end to end against the emulator, into a real PostgreSQL (skips loudly without one):
// every attribute type, deltas + N:N + DeleteLog, column widening, schema change, poison record
// rejected by a trigger, mixed-case schema/prefix identifiers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorControl } from "../../emulator/control";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import { usePostgres, type TestPostgres } from "../testing/postgres";
import { openProfileTarget, runProfile } from "./profile-runner";
import { classifyError } from "./retry-policy";
import { createProfile, makeStore, rawLargeNumbers, sourceRows, waitFor, webApi } from "./test-support";

const pg: TestPostgres = await usePostgres();
if (!pg.available) console.warn(`\n*** SKIPPING the PostgreSQL engine tests: ${pg.reason} ***\n`);

let emu: RunningEmulator;
let db: Db;
let profileId: string;
const fastSource = (org: { url: string }) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxRetries: 2 });
const once = () => runProfile(profileId, { db, sourceFactory: fastSource, pageSize: 40 }, { signal: new AbortController().signal, once: true });
const table = async (name: string) => new Map((await pg.admin(`select * from "Exp"."${name}"`)).map((r) => [String(r.Id), r]));

describe.skipIf(!pg.available)("sync engine → PostgreSQL", () => {
  beforeAll(async () => {
    ({ db } = makeStore());
    emu = await startEmulator({ port: 0, records: 80, seed: 21 });
    profileId = await createProfile(db, {
      name: "pg-e2e", source: emu.url, target: pg.url, schema: "Exp", prefix: "Dx",
      tables: ["account", "cr0a1_project", "lead"], relationships: ["accountleads_association"], deleteLog: true, retryCount: 1, retryInterval: 0,
    });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await emu?.close();
    await pg.cleanup();
  });

  it("exports every attribute type into the quoted mixed-case schema", async () => {
    expect((await once()).anyTableFailed).toBe(false);
    const src = await sourceRows(emu.url, "cr0a1_project", ["cr0a1_name", "cr0a1_budget", "cr0a1_ticketcount", "cr0a1_externalkey", "cr0a1_startdate", "cr0a1_isbillable", "cr0a1_tags", "cr0a1_accountid", "cr0a1_margin"]);
    const got = await table("Dx_cr0a1_project");
    expect(got.size).toBe(src.size);
    for (const [id, s] of src) {
      const t = got.get(id)!;
      expect(String(t.versionnumber)).toBe(s.version);
      expect(t.cr0a1_name).toBe(s.values.cr0a1_name);
      expect(Number(t.cr0a1_budget)).toBeCloseTo(Number(s.values.cr0a1_budget), 4);
      expect(Number(t.cr0a1_margin)).toBeCloseTo(Number(s.values.cr0a1_margin), 6);
      expect(String(t.cr0a1_ticketcount)).toBe(String(s.values.cr0a1_ticketcount));
      expect(t.cr0a1_externalkey).toBe(String(s.values.cr0a1_externalkey).toLowerCase());
      expect(t.cr0a1_isbillable).toBe(s.values.cr0a1_isbillable);
      expect(t.cr0a1_tags ?? null).toBe(s.values.cr0a1_tags ?? null);
      expect(t.cr0a1_accountid).toBe((s.values.cr0a1_accountid as { id: string }).id.toLowerCase());
      expect(new Date(t.cr0a1_startdate as string).toISOString().slice(0, 10)).toBe(String(s.values.cr0a1_startdate).slice(0, 10));
    }
    // Numbers a double cannot hold arrive digit for digit (numeric and bigint come back as text).
    const exact = await rawLargeNumbers(emu.url);
    expect(exact.size).toBe(src.size);
    for (const [id, w] of exact) {
      const t = got.get(id)!;
      expect({ rate: t.cr0a1_exactrate, amount: t.cr0a1_largeamount, counter: t.cr0a1_largecounter }, id).toEqual(w);
    }
    expect((await table("Dx_accountleads")).size).toBe((await sourceRows(emu.url, "accountleads", ["accountid"])).size);
  });

  it("applies deltas, N:N changes and logs deletes", async () => {
    const api = webApi(emu.url);
    const [a1, a2, a3] = await api.firstIds("accounts", "accountid", 3);
    const [lead] = await api.firstIds("leads", "leadid", 1);
    const created = await api.create("accounts", { name: `it's "fine"; really]` }, "accountid");
    await api.update("accounts", a1, { name: "pg renamed" });
    await api.remove("accounts", a2);
    await api.associate("accounts", a3, "accountleads_association", "leads", lead);
    await once();
    const acc = await table("Dx_account");
    expect(acc.get(created)!.name).toBe(`it's "fine"; really]`);
    expect(acc.get(a1)!.name).toBe("pg renamed");
    expect(acc.has(a2)).toBe(false);
    expect([...(await table("Dx_accountleads")).values()].some((r) => r.accountid === a3 && r.leadid === lead)).toBe(true);
    const log = await pg.admin(`select * from "Exp"."DeleteLog" where "RecordId" = $1`, [a2]);
    expect(log).toHaveLength(1);
  });

  it("widens a column for a longer string and adds a column for a new attribute", async () => {
    const api = webApi(emu.url);
    const [p] = await api.firstIds("cr0a1_projects", "cr0a1_projectid", 1);
    const long = "W".repeat(300);
    await api.update("cr0a1_projects", p, { cr0a1_name: long }, true);
    const r = await once();
    expect(r.tables.find((t) => t.logicalName === "cr0a1_project")!.failed).toBe(0);
    expect((await table("Dx_cr0a1_project")).get(p)!.cr0a1_name).toBe(long);
    const [w] = await pg.admin<{ n: number | null }>(`select character_maximum_length n from information_schema.columns where table_schema = 'Exp' and table_name = 'Dx_cr0a1_project' and column_name = 'cr0a1_name'`);
    expect(w.n === null || w.n >= 300).toBe(true);

    const control = emulatorControl(emu.url, emu.token);
    await control.addAttribute("lead", { logicalName: "cr0a1_tier", kind: "String", maxLength: 20 });
    const [l] = await api.firstIds("leads", "leadid", 1);
    await control.setFields("lead", l, { cr0a1_tier: "gold" });
    await once();
    expect((await table("Dx_lead")).get(l)!.cr0a1_tier).toBe("gold");
  });

  it("a record rejected by a trigger yields one failure entry; the others are written", async () => {
    await pg.admin(`create function "Exp".poison() returns trigger language plpgsql as $$ begin if new.name like 'POISON%' then raise exception 'rejected by trigger'; end if; return new; end $$`);
    await pg.admin(`create trigger poison before insert or update on "Exp"."Dx_account" for each row execute function "Exp".poison()`);
    const api = webApi(emu.url);
    const ids = await api.firstIds("accounts", "accountid", 6);
    await api.update("accounts", ids[4], { name: "POISON" });
    await api.update("accounts", ids[5], { name: "ok pg" });
    const r = await once();
    expect(r.tables.find((t) => t.logicalName === "account")).toMatchObject({ upserts: 1, failed: 1 });
    expect((await table("Dx_account")).get(ids[5])!.name).toBe("ok pg");
    const f = await db.failure.findMany({ where: { profileId } });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ entity: "account", recordId: ids[4], changeType: "Update" });
    expect(f[0].reason).toMatch(/rejected by trigger/);
    await once();
    expect(await db.failure.count({ where: { profileId } })).toBe(1);
  });

  it("a target made read-only (25006) during a delta cycle loses nothing: every update and delete arrives once it is writable", async () => {
    const api = webApi(emu.url);
    const ids = await api.firstIds("accounts", "accountid", 16);
    const updated = ids.slice(8, 12);
    const deleted = ids.slice(12, 16);
    for (const id of updated) await api.update("accounts", id, { name: `ro ${id.slice(0, 8)}` });
    for (const id of deleted) await api.remove("accounts", id);
    const failuresBefore = await db.failure.count({ where: { profileId } });
    const markersBefore = await db.failedRecord.count({ where: { profileId } });
    const setReadOnly = async (on: boolean) => {
      await pg.admin(`alter database "${pg.database}" set default_transaction_read_only = ${on ? "on" : "off"}`);
      // A failover: every session ends, new ones get the new default (the admin session is kept).
      await pg.admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [pg.database]);
      await waitFor(async () => (await pg.admin<{ n: string }>(`select count(*) n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [pg.database]))[0].n === "0", "sessions to end");
    };
    // The target turns read-only after metadata, right before the delta's first write.
    let flipped = false;
    const openTarget = async (p: Parameters<typeof openProfileTarget>[0]) => {
      const dest = await openProfileTarget(p);
      const before = async () => {
        if (!flipped) {
          flipped = true;
          await setReadOnly(true);
          // The pool drops its idle connections as their termination arrives; the write then opens
          // a new, read-only one (else it would meet the termination itself: 57P01, also transient).
          const pool = (dest as unknown as { pool: { idleCount: number } | null }).pool;
          await waitFor(() => !pool || pool.idleCount === 0, "the target's pool to drop its terminated connections");
        }
      };
      const upsert = dest.upsert.bind(dest);
      const del = dest.delete.bind(dest);
      // What the writes met (other tables' queries in flight meet the termination itself: 57P01).
      const seen = <T,>(p: Promise<T>) => p.catch((e: { code?: string }) => Promise.reject((codes.push(String(e?.code)), e)));
      dest.upsert = async (spec, records) => (await before(), seen(upsert(spec, records)));
      dest.delete = async (spec, list, log) => (await before(), seen(del(spec, list, log)));
      return dest;
    };
    const codes: string[] = [];
    const err = await runProfile(profileId, { db, sourceFactory: fastSource, pageSize: 40, openTarget }, { signal: new AbortController().signal, once: true }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(flipped).toBe(true);
    expect(codes).toContain("25006");
    // The run ends with what its last query met: 25006, the termination (57P01), or the pg
    // driver's own "Connection terminated" (no code) when a connection dies mid-query. Any of
    // them must be transient: nothing logged as a bad record, the checkpoint kept.
    expect(err, "the run must end with the error").toBeTruthy();
    expect(classifyError(err), `the error the run ended with: ${String(err)}`).toBe("transient");
    expect(await db.failure.count({ where: { profileId } })).toBe(failuresBefore);
    expect(await db.failedRecord.count({ where: { profileId } })).toBe(markersBefore);

    await setReadOnly(false);
    await once();
    const acc = await table("Dx_account");
    for (const id of updated) expect(acc.get(id)?.name).toBe(`ro ${id.slice(0, 8)}`);
    for (const id of deleted) expect(acc.has(id)).toBe(false);
    expect(await db.failure.count({ where: { profileId } })).toBe(failuresBefore);
  });
});
