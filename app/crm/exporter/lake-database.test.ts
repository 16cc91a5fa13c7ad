// REST downloads of a lake database (issue 13): the DuckDB database file and the Synapse
// serverless script, with who may (the DuckDB file, which can hold rows: admins and contributors
// over a shared connection; the script, definitions only: everyone signed in) and what comes back (the file's bytes; the script for the export's tables,
// a removed table marked, the lake's container as the data source).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-api-lakedb-"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;

const { migrateStore } = await import("@/lib/store/migrate");
migrateStore();
const { db } = await import("@/lib/db");
const { createApiToken } = await import("@/lib/api/tokens");
const { encryptSecret } = await import("@/lib/secrets");
const { admin } = await import("@/lib/profiles/test-helpers");
const { buildDuckdbFile } = await import("@/lib/lake-database/duckdb-file");
const { duckdbFile, manifestFile } = await import("@/lib/lake-database/location");
const { FolderStorage } = await import("@/lib/destinations/lake/folder-storage");
const duckdbRoute = await import("./profiles/[id]/lake-database/duckdb/route");
const synapseRoute = await import("./profiles/[id]/lake-database/synapse.sql/route");

type Who = "admin" | "contributor" | "viewer" | "anonymous";
const tokens: Record<Exclude<Who, "anonymous">, string> = { admin: "", contributor: "", viewer: "" };
const ids = { shared: "", inline: "", none: "" };
const frozenAt = new Date("2026-11-30T08:00:00.000Z");
const TARGET = "abfss://sales@acct.dfs.core.windows.net/exports;AccountKey=a2V5";

async function call(route: { GET: (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response> }, id: string, who: Who, query = "") {
  const headers: Record<string, string> = who === "anonymous" ? {} : { Authorization: `Bearer ${tokens[who]}` };
  const res = await route.GET(new Request(`http://api.test/crm/exporter/profiles/${id}/lake-database/x${query}`, { headers }), { params: Promise.resolve({ id }) });
  return { status: res.status, type: res.headers.get("content-type") ?? "", bytes: Buffer.from(await res.arrayBuffer()) };
}

/** A lake database as the worker leaves it: the DuckDB file and the manifest of tables and columns. */
async function built(profileId: string, database: string, tables: { name: string; frozenAt: string | null }[]) {
  const empty = path.join(dir, `empty-${database}`);
  fs.mkdirSync(empty, { recursive: true });
  await buildDuckdbFile(new FolderStorage(empty), { file: duckdbFile(profileId, database), manifestFile: manifestFile(profileId, database), database, frozen: new Map() });
  const columns = [
    { name: "Id", dataType: "guid" }, { name: "SinkCreatedOn", dataType: "dateTime" }, { name: "SinkModifiedOn", dataType: "dateTime" },
    { name: "name", dataType: "string", maxLength: 160 }, { name: "versionnumber", dataType: "int64" }, { name: "IsDelete", dataType: "boolean" },
  ];
  fs.writeFileSync(manifestFile(profileId, database), JSON.stringify({ database, builtAt: new Date().toISOString(), tables: tables.map((t) => ({ ...t, columns })) }));
}

beforeAll(async () => {
  for (const role of ["admin", "contributor", "viewer"] as const) tokens[role] = (await createApiToken(db, admin, { name: role, role })).token;
  const orgId = (await db.organization.create({
    data: { name: "Contoso", url: "https://contoso.crm.dynamics.com", staticTokenEnc: encryptSecret("t"), privacyAcceptedAt: new Date(), privacyAcceptedBy: "admin@t.test" },
  })).id;
  const conn = await db.connection.create({
    data: { name: "Sales lake", destinationType: "datalake", secretEnc: encryptSecret(TARGET), sharedWithContributors: true, termsAcceptedAt: new Date(), termsAcceptedBy: "admin@t.test" },
  });
  const profile = (name: string, extra: Record<string, unknown>) =>
    db.profile.create({
      data: {
        name, organizationId: orgId, destinationType: "datalake", destinationEnc: encryptSecret(TARGET), ...extra,
        tables: { create: [{ logicalName: "account" }, { logicalName: "contact", enabled: false, frozenAt }] },
      },
      select: { id: true },
    });
  ids.shared = (await profile("shared", { connectionId: conn.id, lakeDatabase: "SalesLake", previousLakeDatabases: { create: [{ name: "OldSales", stoppedAt: frozenAt }] } })).id;
  ids.inline = (await profile("inline", { lakeDatabase: "Finance" })).id;
  ids.none = (await profile("no-database", {})).id;
  await built(ids.shared, "SalesLake", [{ name: "account", frozenAt: null }, { name: "contact", frozenAt: null }]);
  await built(ids.shared, "OldSales", [{ name: "account", frozenAt: null }]);
});
afterAll(async () => {
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("REST lake database downloads", () => {
  it("GET …/lake-database/duckdb answers the file's bytes, a DuckDB database with the views' table list", async () => {
    for (const who of ["admin", "contributor"] as const) {
      const r = await call(duckdbRoute, ids.shared, who);
      expect(r.status, who).toBe(200);
      expect(r.type).toBe("application/octet-stream");
      expect(r.bytes.equals(fs.readFileSync(duckdbFile(ids.shared, "SalesLake")))).toBe(true);
    }
    const copy = path.join(dir, "downloaded.duckdb");
    fs.writeFileSync(copy, (await call(duckdbRoute, ids.shared, "contributor")).bytes);
    const instance = await DuckDBInstance.create(copy, { access_mode: "READ_ONLY" });
    const conn = await instance.connect();
    expect((await conn.runAndReadAll("select count(*)::int n from lake_database_tables")).getRowObjectsJson()).toEqual([{ n: 0 }]);
    conn.closeSync();
    instance.closeSync();
    // A previous database by name.
    const old = await call(duckdbRoute, ids.shared, "admin", "?database=OldSales");
    expect(old.bytes.equals(fs.readFileSync(duckdbFile(ids.shared, "OldSales")))).toBe(true);
  });

  it("who may: no token 401; the DuckDB file (rows) only to those who may change the export; the script to every reader", async () => {
    expect((await call(duckdbRoute, ids.shared, "anonymous")).status).toBe(401);
    expect((await call(synapseRoute, ids.shared, "anonymous")).status).toBe(401);
    // The file can hold the exported rows: not for viewers, nor a contributor off a shared connection.
    expect((await call(duckdbRoute, ids.shared, "viewer")).status).toBe(403);
    expect((await call(duckdbRoute, ids.inline, "contributor")).status).toBe(403);
    // The script holds definitions only: allowed (here not built yet: 404 with its message).
    expect((await call(synapseRoute, ids.inline, "contributor")).status).toBe(404);
    expect((await call(synapseRoute, ids.shared, "viewer")).status).toBe(200);
    // Allowed, but nothing built yet / no database / no such database: 404 with a message; a bad name 400.
    const notBuilt = await call(synapseRoute, ids.inline, "viewer");
    expect([notBuilt.status, JSON.parse(notBuilt.bytes.toString()).error.message]).toEqual([404, expect.stringMatching(/Finance has not been built yet/)]);
    const none = await call(duckdbRoute, ids.none, "admin");
    expect([none.status, JSON.parse(none.bytes.toString()).error.message]).toEqual([404, expect.stringMatching(/keeps no lake database/)]);
    expect((await call(duckdbRoute, ids.shared, "admin", "?database=Nope")).status).toBe(404);
    expect((await call(duckdbRoute, ids.shared, "admin", "?database=bad-name")).status).toBe(400);
    expect((await call(duckdbRoute, "00000000-0000-4000-8000-000000000000", "contributor")).status).toBe(404);
  });

  it("GET …/lake-database/synapse.sql answers the script for the export's tables, a removed one marked", async () => {
    const r = await call(synapseRoute, ids.shared, "contributor");
    expect(r.status).toBe(200);
    expect(r.type).toBe("application/sql; charset=utf-8");
    const sql = r.bytes.toString("utf8");
    expect(sql).toContain("CREATE EXTERNAL DATA SOURCE [SalesLake_lake] WITH (LOCATION = N'https://acct.dfs.core.windows.net/sales/exports');");
    expect(sql.match(/CREATE OR ALTER VIEW dbo\.\[(\w+)\]/g)).toEqual(["CREATE OR ALTER VIEW dbo.[account]", "CREATE OR ALTER VIEW dbo.[contact]"]);
    expect(sql).toContain("OPENROWSET(BULK N'SalesLake/account/*.csv', DATA_SOURCE = N'SalesLake_lake', FORMAT = 'CSV', PARSER_VERSION = '2.0'");
    expect(sql).toContain("[name] nvarchar(160) 4");
    // Removed from the export after the build: marked from the store at once.
    expect(sql).toContain(`-- contact: removed from the export on ${frozenAt.toISOString()}; kept, no longer updated.`);
    expect(sql).not.toContain("-- account: removed");
    expect(sql).not.toContain("AccountKey");
    const old = (await call(synapseRoute, ids.shared, "viewer", "?database=OldSales")).bytes.toString("utf8");
    expect(old).toContain("USE [OldSales];");
  });
});
