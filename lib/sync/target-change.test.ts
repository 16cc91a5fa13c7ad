// Defect 1 of issue 10: a changed or emptied target must not keep the delta links of the old
// one. The export marker (DataverseExportMarker) and each table's existence are checked at every
// runner start (reconnects included) and every cycle; what does not match is exported again.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import { updateProfile } from "../profiles/service";
import { getProfile } from "../profiles/status";
import { encryptSecret } from "../secrets";
import { runProfile } from "./profile-runner";
import { superviseProfile } from "./supervisor";
import { createProfile, makeStore, sourceRows, sqliteRows, waitFor, webApi } from "./test-support";

const admin: Actor = { id: "u-admin", email: "admin@example.com", name: "Admin", role: "admin" };
let emu: RunningEmulator;
let db: Db;
let dir: string;
let api: ReturnType<typeof webApi>;
const fastSource = (org: { url: string }) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 });
const once = (id: string) => runProfile(id, { db, sourceFactory: fastSource, pageSize: 40 }, { signal: new AbortController().signal, once: true });
const ids = (file: string, table: string) => new Set(sqliteRows(file, table).map((r) => String(r.Id)));
const sourceIds = async (table: string) => new Set((await sourceRows(emu.url, table, [`${table}id`])).keys());
const reasons = async (id: string) => new Map((await getProfile(db, admin, id)).tables.map((t) => [t.logicalName, t.reexportReason]));

beforeAll(async () => {
  ({ db, dir } = makeStore());
  emu = await startEmulator({ port: 0, records: 60, seed: 21 });
  api = webApi(emu.url);
});
afterAll(async () => {
  await db.$disconnect();
  await emu.close();
});

async function exported(name: string): Promise<{ id: string; file: string }> {
  const file = path.join(dir, `${name}.db`);
  const id = await createProfile(db, { name, source: emu.url, target: `sqlite:${file}`, prefix: "tc", tables: ["account", "contact"], deleteLog: true, retryInterval: 0 });
  await once(id);
  expect(ids(file, "tc_account")).toEqual(await sourceIds("account"));
  return { id, file };
}

describe("a changed or emptied target is exported again", () => {
  it("connection string changed through the profile update service (portal edit, REST PUT)", async () => {
    const { id } = await exported("changed");
    const other = path.join(dir, "changed-other.db");
    await updateProfile(db, admin, id, { connectionString: `sqlite:${other}` });
    await once(id);
    expect(ids(other, "tc_account")).toEqual(await sourceIds("account"));
    expect(ids(other, "tc_contact").size).toBeGreaterThan(0);
    const r = await reasons(id);
    expect(r.get("account")).toMatch(/^Target changed/);
    expect(r.get("contact")).toMatch(/^Target changed/);
    // The new target carries the marker now: the next run applies only changes.
    const [a] = await api.firstIds("accounts", "accountid", 1);
    await api.update("accounts", a, { name: "after the move" });
    const next = await once(id);
    expect(next.tables.find((t) => t.logicalName === "account")!.upserts).toBe(1);
  });

  it("a Key Vault secret that now points elsewhere (the stored copy changes at activation): same check", async () => {
    const { id } = await exported("vault");
    const other = path.join(dir, "vault-other.db");
    // What cacheKeyVaultTarget does when the secret changed.
    await db.profile.update({ where: { id }, data: { destinationEnc: encryptSecret(`sqlite:${other}`) } });
    await once(id);
    expect(ids(other, "tc_account")).toEqual(await sourceIds("account"));
  });

  it("a target restored from a backup of another export generation: re-exported and swept", async () => {
    const { id, file } = await exported("restored");
    const backup = `${file}.bak`;
    fs.copyFileSync(file, backup);
    // The profile moves on (another target, so a new generation), rows are deleted at the source…
    await updateProfile(db, admin, id, { connectionString: `sqlite:${path.join(dir, "restored-2.db")}` });
    await once(id);
    const gone = (await api.firstIds("accounts", "accountid", 3)).slice(1);
    for (const g of gone) await api.remove("accounts", g);
    await once(id);
    // … and then the old database comes back from its backup.
    fs.copyFileSync(backup, file);
    await updateProfile(db, admin, id, { connectionString: `sqlite:${file}` });
    await once(id);
    const now = ids(file, "tc_account");
    expect(now).toEqual(await sourceIds("account"));
    for (const g of gone) expect(now.has(g)).toBe(false);
    const log = sqliteRows(file, "DeleteLog").filter((r) => r.EntityName === "account").map((r) => String(r.RecordId));
    expect(log).toEqual(expect.arrayContaining(gone));
  });

  it("a target table dropped while the worker was stopped is re-created and re-exported alone", async () => {
    const { id, file } = await exported("dropped");
    const t = new Database(file);
    t.exec("drop table tc_contact");
    t.close();
    const r = await once(id);
    expect(ids(file, "tc_contact")).toEqual(await sourceIds("contact"));
    expect(r.tables.find((x) => x.logicalName === "account")!.upserts).toBe(0);
    expect((await reasons(id)).get("contact")).toBe("Target table tc_contact was missing: re-exporting");
    expect(await db.failure.count({ where: { profileId: id } })).toBe(0);
  });

  it("while running: a marker that changes, or a table dropped under the runner, restarts it and re-exports (no failure entry)", async () => {
    const { id, file } = await exported("live");
    const controller = new AbortController();
    const running = superviseProfile(id, { db, sourceFactory: fastSource, pageSize: 40, intervalMs: 30, sleep: (ms, s) => new Promise((res, rej) => { const t = setTimeout(res, Math.min(ms, 50)); s?.addEventListener("abort", () => { clearTimeout(t); rej(s.reason); }, { once: true }); }) }, controller.signal);
    try {
      const t = new Database(file);
      t.exec("delete from DataverseExportMarker; delete from tc_account;");
      t.close();
      await waitFor(async () => ids(file, "tc_account").size === (await sourceIds("account")).size, "account re-exported after the marker vanished");
      expect((await reasons(id)).get("account")).toMatch(/^Target changed/);
      const t2 = new Database(file);
      t2.exec("drop table tc_contact");
      t2.close();
      await waitFor(async () => {
        try {
          return ids(file, "tc_contact").size === (await sourceIds("contact")).size;
        } catch {
          return false;
        }
      }, "contact re-created and re-exported");
      expect(await db.failure.count({ where: { profileId: id } })).toBe(0);
    } finally {
      controller.abort();
      await running;
    }
  });
});
