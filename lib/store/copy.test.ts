// Moving an install: a SQLite store with a profile mid-delta (changes at the source since its
// last checkpoint) is copied to PostgreSQL; the engine run against the copy applies exactly the
// pending changes — nothing exported twice, nothing skipped — and the target equals the source.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { createDb, type Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import { runProfile } from "../sync/profile-runner";
import { createProfile, makeStore, sourceRows, sqliteRows, webApi } from "../sync/test-support";
import { usePostgres } from "../testing/postgres";
import { run as storeCommand } from "../cli/commands/store";
import { copyStore, nonEmptyModels, PROCESS_STATE } from "./copy";
import { storeModels } from "./schema-models";

const pg = await usePostgres();
let emu: RunningEmulator;
let sqlite: { dir: string; db: Db; url: string };
let copy: Db | undefined;
let profileId: string;
let target: string;
let api: ReturnType<typeof webApi>;

const fastSource = (org: { url: string }) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 });
const once = (db: Db) => runProfile(profileId, { db, sourceFactory: fastSource, pageSize: 25 }, { signal: new AbortController().signal, once: true });
const dump = async (db: Db) => {
  const out: Record<string, unknown[]> = {};
  for (const m of storeModels()) {
    const orderBy = m.id.map((f) => ({ [f]: "asc" }));
    out[m.name] = await (db as unknown as Record<string, { findMany(a: object): Promise<unknown[]> }>)[m.delegate].findMany({ orderBy });
  }
  return out;
};

beforeAll(async () => {
  if (!pg.available) return;
  sqlite = makeStore({ kind: "sqlite" });
  emu = await startEmulator({ port: 0, records: 60, seed: 5 });
  api = webApi(emu.url);
  target = path.join(sqlite.dir, "target.db");
  profileId = await createProfile(sqlite.db, { name: "moving", source: emu.url, target: `sqlite:${target}`, tables: ["account", "contact"], deleteLog: true, retryCount: 0, retryInterval: 0 });
});
afterAll(async () => {
  await copy?.$disconnect();
  await sqlite?.db.$disconnect();
  await emu?.close();
  await pg.cleanup();
  if (sqlite) fs.rmSync(sqlite.dir, { recursive: true, force: true });
});

describe.skipIf(!pg.available)("store copy SQLite → PostgreSQL", () => {
  it("copies every table as it is; the copied install resumes from its checkpoints", async () => {
    // Initial export, then one delta, on SQLite.
    expect((await once(sqlite.db)).anyTableFailed).toBe(false);
    const [a1, a2, a3] = await api.firstIds("accounts", "accountid", 3);
    await api.update("accounts", a1, { name: "before the move" });
    await api.remove("accounts", a2);
    expect((await once(sqlite.db)).tables.find((t) => t.logicalName === "account")).toMatchObject({ upserts: 1, deletes: 1 });
    // Rows of every other kind: a user, an API token, failure entries.
    await sqlite.db.user.create({ data: { email: "ops@example.test", role: "admin", passwordHash: "x" } });
    await sqlite.db.apiToken.create({ data: { name: "ci", tokenHash: "h".repeat(64), prefix: "dxe_abcd" } });
    for (const r of ["r1", "r2"]) await sqlite.db.failure.create({ data: { profileId, entity: "account", recordId: r, changeType: "Update", reason: "test" } });
    await sqlite.db.failedRecord.create({ data: { profileId, entity: "account", recordId: "r1", version: "1" } });
    // The old install's process state: a worker owning the profile's lease at epoch 3.
    await sqlite.db.worker.create({ data: { id: "old-host-worker", host: "old-host", pid: 4242, version: "0", role: "worker", lockPid: 777 } });
    await sqlite.db.profileLease.upsert({
      where: { profileId },
      create: { profileId, ownerId: "old-host-worker", epoch: 3, expiresAt: new Date(Date.now() + 3600_000) },
      update: { ownerId: "old-host-worker", epoch: 3, expiresAt: new Date(Date.now() + 3600_000) },
    });
    // Changes after the last checkpoint: the copied install must apply exactly these.
    await api.update("accounts", a3, { name: "after the move" });
    const [c1] = await api.firstIds("contacts", "contactid", 1);
    await api.remove("contacts", c1);
    const created = await api.create("accounts", { name: "created after" }, "accountid");

    const before = await dump(sqlite.db);
    const { counts } = await copyStore(sqlite.url, pg.url);
    copy = createDb(pg.url);
    // Row for row, encrypted secrets and checkpoints included; process state as PROCESS_STATE says.
    const expected = Object.fromEntries(
      Object.entries(before).map(([name, rows]) => {
        const policy = PROCESS_STATE[name];
        return [name, policy === "skip" ? [] : policy ? (rows as Record<string, unknown>[]).map(policy) : rows];
      }),
    );
    for (const m of storeModels()) expect(counts[m.name], m.name).toBe(expected[m.name].length);
    expect(await dump(copy)).toEqual(expected);
    expect(expected.Worker).toEqual([]);
    expect(expected.ProfileLease).toMatchObject([{ profileId, ownerId: null, epoch: 3 }]);

    const r = await once(copy);
    expect(r.tables.find((t) => t.logicalName === "account")).toMatchObject({ upserts: 2, deletes: 0, failed: 0 });
    expect(r.tables.find((t) => t.logicalName === "contact")).toMatchObject({ upserts: 0, deletes: 1, failed: 0 });
    for (const [table, tname] of [["account", "account"], ["contact", "contact"]] as const) {
      const src = await sourceRows(emu.url, table, ["versionnumber"]);
      const got = new Map(sqliteRows(target, tname).map((row) => [String(row.Id), row]));
      expect([...got.keys()].sort(), table).toEqual([...src.keys()].sort());
      for (const [id, s] of src) expect(String(got.get(id)!.versionnumber), `${table} ${id}`).toBe(s.version);
    }
    expect(sqliteRows(target, "account").find((row) => row.Id === created)?.name).toBe("created after");
  }, 240_000);

  it("autoincrement ids continue after the copied ones", async () => {
    const maxCopied = (await copy!.failure.aggregate({ _max: { id: true } }))._max.id!;
    const next = await copy!.failure.create({ data: { profileId, entity: "contact", recordId: "r3", changeType: "New", reason: "after" } });
    expect(next.id).toBe(maxCopied + 1);
  });

  it("refuses a target store that is not empty (the CLI exits 1 and writes nothing)", async () => {
    const rowsBefore = await copy!.failure.count();
    expect(await storeCommand(["copy", "--from", sqlite.url, "--to", pg.url])).toBe(1);
    await expect(copyStore(sqlite.url, pg.url)).rejects.toThrow(/not empty/);
    expect(await copy!.failure.count()).toBe(rowsBefore);
    expect(await nonEmptyModels(copy!)).toContain("Profile");
  }, 240_000);

  it("copies back the other way (PostgreSQL → a new SQLite file), ids continuing there too", async () => {
    const back = `file:${path.join(sqlite.dir, "back.db")}`;
    await copyStore(pg.url, back);
    const again = createDb(back);
    try {
      expect(await dump(again)).toEqual(await dump(copy!));
      const maxCopied = (await again.failure.aggregate({ _max: { id: true } }))._max.id!;
      expect((await again.failure.create({ data: { profileId, entity: "lead", recordId: "r4", changeType: "New", reason: "back" } })).id).toBe(maxCopied + 1);
    } finally {
      await again.$disconnect();
    }
  }, 240_000);

  it("refuses a --from SQLite file that does not exist (it would be created empty)", async () => {
    expect(await storeCommand(["copy", "--from", `file:${path.join(sqlite.dir, "missing.db")}`, "--to", pg.url])).toBe(2);
    expect(fs.existsSync(path.join(sqlite.dir, "missing.db"))).toBe(false);
  });
});
