// Lake database exports (issue 13) end to end: the engine writes an export's files under
// <lake>/<database>/ and builds its DuckDB database file; the views are compared with the
// emulator's rows. A removed table keeps its view, marked no longer updated; a renamed database
// gets a full export in its own folder while the old one stays as it was; bad names write nothing.
import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataverseClient } from "../dataverse/client";
import { expectLakeMatchesSource } from "../destinations/lake/test-support";
import type { LakeReader } from "../destinations/lake/reader";
import { ConflictError, ValidationError } from "../errors";
import { acceptPrivacyTerms } from "../organizations/service";
import { createProfile, updateProfile } from "../profiles/service";
import { getProfile } from "../profiles/status";
import { admin, setUp, type Fixture } from "../profiles/test-helpers";
import { runProfile } from "../sync/profile-runner";
import { webApi } from "../sync/test-support";
import { duckdbFile } from "./location";

let fx: Fixture;
let lake: string;
let profileId: string;

const once = () =>
  runProfile(profileId, {
    db: fx.db, pageSize: 40, lakeDatabaseEveryMs: 0,
    sourceFactory: (org) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxRetries: 1 }),
  }, { signal: new AbortController().signal, once: true });

/** The DuckDB database file opened read-only, as a user opens a download. */
async function openFile(file: string): Promise<LakeReader> {
  const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
  const conn = await instance.connect();
  const views = (await conn.runAndReadAll("select view_name from duckdb_views() where not internal and schema_name = 'main' order by 1")).getRowObjectsJson();
  return {
    tables: views.map((v) => String(v.view_name)),
    async query(sql) {
      return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
    },
    async close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
async function withFile<T>(file: string, fn: (r: LakeReader) => Promise<T>): Promise<T> {
  const r = await openFile(file);
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

const lakeInput = (over: Record<string, unknown> = {}) => ({
  name: `lakedb-${Math.random().toString(36).slice(2, 8)}`, organizationId: fx.orgId, destinationType: "datalake",
  connectionString: `lake:${lake}`, tables: ["account", "contact"], lakeSnapshotMinutes: 0, ...over,
});

beforeAll(async () => {
  fx = await setUp(60, 13);
  lake = path.join(fx.dir, "lake");
  await acceptPrivacyTerms(fx.db, admin, fx.orgId);
  profileId = (await createProfile(fx.db, admin, lakeInput({ name: "lakedb-sales", lakeDatabase: "SalesLake" }))).id;
  await fx.db.profile.update({ where: { id: profileId }, data: { metadataActive: true, dataActive: true, state: "activating" } });
}, 60_000);
afterAll(async () => {
  await fx.close();
});

describe("lake database exports", () => {
  it("writes under <lake>/<database>/ and builds a DuckDB file whose views match the emulator", async () => {
    expect((await once()).anyTableFailed).toBe(false);
    expect(fs.existsSync(path.join(lake, "SalesLake", "model.json"))).toBe(true);
    expect(fs.existsSync(path.join(lake, "model.json"))).toBe(false);
    const file = duckdbFile(profileId, "SalesLake");
    await withFile(file, async (r) => {
      expect(r.tables).toEqual(["account", "contact"]);
      expect(await expectLakeMatchesSource(r, fx.emu.url, "account")).toBeGreaterThan(0);
      await expectLakeMatchesSource(r, fx.emu.url, "contact");
    });
    // A change and a delete at the source: the next cycle rebuilds the file.
    const api = webApi(fx.emu.url);
    const [a1, a2] = await api.firstIds("accounts", "accountid", 2);
    await api.update("accounts", a1, { name: "Changed for the lake database" });
    await api.remove("accounts", a2);
    await once();
    await withFile(file, async (r) => {
      await expectLakeMatchesSource(r, fx.emu.url, "account");
      expect(await r.query(`select name from account where Id = '${a1}'`)).toEqual([{ name: "Changed for the lake database" }]);
      expect(await r.query(`select count(*)::int n from account where Id = '${a2}'`)).toEqual([{ n: 0 }]);
    });
    expect((await getProfile(fx.db, admin, profileId)).lake?.database).toMatchObject({ name: "SalesLake", previous: [] });
    expect((await getProfile(fx.db, admin, profileId)).lake?.database?.builtAt).not.toBeNull();
  }, 120_000);

  it("a removed table keeps its view, marked no longer updated with when", async () => {
    await updateProfile(fx.db, admin, profileId, { tables: ["account"] });
    const frozenAt = (await getProfile(fx.db, admin, profileId)).tables.find((t) => t.logicalName === "contact")!.frozenAt;
    expect(frozenAt).toMatch(/^\d{4}-/);
    const api = webApi(fx.emu.url);
    const [c] = await api.firstIds("contacts", "contactid", 1);
    await api.update("contacts", c, { firstname: "After the removal" });
    await once();
    await withFile(duckdbFile(profileId, "SalesLake"), async (r) => {
      expect(r.tables).toEqual(["account", "contact"]);
      const comments = await r.query("select view_name, comment from duckdb_views() where not internal and schema_name = 'main' order by 1");
      expect(comments).toEqual([
        { view_name: "account", comment: null },
        { view_name: "contact", comment: `Removed from the export: no longer updated since ${frozenAt}` },
      ]);
      expect(await r.query("select table_name, no_longer_updated_since is not null as frozen from lake_database_tables order by 1")).toEqual([
        { table_name: "account", frozen: false },
        { table_name: "contact", frozen: true },
      ]);
      // Frozen: the change made after the removal is not in the view.
      const got = await r.query(`select firstname from contact where Id = '${c}'`);
      expect(got).toHaveLength(1);
      expect(got[0].firstname).not.toBe("After the removal");
    });
  }, 120_000);

  it("a new database name starts a new database with a full export; the old one stops updating and is listed", async () => {
    const oldFile = duckdbFile(profileId, "SalesLake");
    const oldBytes = fs.readFileSync(oldFile);
    await updateProfile(fx.db, admin, profileId, { lakeDatabase: "SalesLake2026" });
    const api = webApi(fx.emu.url);
    const [a] = await api.firstIds("accounts", "accountid", 1);
    await api.update("accounts", a, { name: "Only in the new database" });
    expect((await once()).anyTableFailed).toBe(false);
    expect(fs.existsSync(path.join(lake, "SalesLake2026", "model.json"))).toBe(true);
    await withFile(duckdbFile(profileId, "SalesLake2026"), async (r) => {
      expect(r.tables).toEqual(["account"]);
      await expectLakeMatchesSource(r, fx.emu.url, "account");
    });
    // The old database: its file untouched, the change not in it.
    expect(fs.readFileSync(oldFile).equals(oldBytes)).toBe(true);
    await withFile(oldFile, async (r) => {
      expect((await r.query(`select name from account where Id = '${a}'`))[0].name).not.toBe("Only in the new database");
    });
    const detail = await getProfile(fx.db, admin, profileId);
    expect(detail.lake?.database?.name).toBe("SalesLake2026");
    expect(detail.lake?.database?.previous).toEqual([{ name: "SalesLake", stoppedAt: expect.stringMatching(/^\d{4}-/) }]);
    // Going back to the old name would resume the frozen folder: refused.
    const back = await updateProfile(fx.db, admin, profileId, { lakeDatabase: "saleslake" }).catch((e: unknown) => e);
    expect(back).toBeInstanceOf(ConflictError);
    expect((back as Error).message).toMatch(/SalesLake was this export's database until .*choose a new database name/);
  }, 120_000);

  it("bad database names and misplaced databases: a clear message, nothing written", async () => {
    const before = await fx.db.profile.count();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ lakeDatabase: "" }, /^Enter a database name\.$/],
      [{ lakeDatabase: "   " }, /^Enter a database name\.$/],
      [{ lakeDatabase: "sales-lake" }, /starts with a letter and holds only letters, digits and _/],
      [{ lakeDatabase: "1sales" }, /starts with a letter/],
      [{ lakeDatabase: "x".repeat(129) }, /at most 128 characters/],
      [{ lakeDatabase: "Sales", destinationType: "sqlite", connectionString: `sqlite:${path.join(fx.dir, "t.db")}` }, /only to data lake targets/],
      [{ lakeDatabase: "Sales", lakeFormat: "delta" }, /choose the CSV format/],
    ];
    for (const [over, message] of cases) {
      const err = await createProfile(fx.db, admin, lakeInput(over)).catch((e: unknown) => e);
      expect(err, JSON.stringify(over)).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fieldErrors.lakeDatabase ?? (err as Error).message, JSON.stringify(over)).toMatch(message);
    }
    // Another export's database in the same lake (names compare case-insensitively).
    const dup = await createProfile(fx.db, admin, lakeInput({ lakeDatabase: "saleslake2026" })).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ConflictError);
    expect((dup as Error).message).toMatch(/already keeps a database named SalesLake2026 in this lake/);
    expect(await fx.db.profile.count()).toBe(before);
    // The same name in another lake is fine.
    const other = await createProfile(fx.db, admin, lakeInput({ lakeDatabase: "SalesLake2026", connectionString: `lake:${path.join(fx.dir, "other-lake")}` }));
    expect(other.lake?.database?.name).toBe("SalesLake2026");
    // A database is renamed, never removed; an update with a bad name changes nothing.
    const version = (await fx.db.profile.findUniqueOrThrow({ where: { id: profileId } })).version;
    for (const bad of ["", "sales lake"]) {
      const err = await updateProfile(fx.db, admin, profileId, { lakeDatabase: bad }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
    }
    const after = await fx.db.profile.findUniqueOrThrow({ where: { id: profileId } });
    expect([after.version, after.lakeDatabase]).toEqual([version, "SalesLake2026"]);
    expect(fs.existsSync(path.join(lake, "sales lake"))).toBe(false);
  }, 60_000);
});
