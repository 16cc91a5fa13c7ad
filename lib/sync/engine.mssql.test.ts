// The engine against a real SQL Server when MSSQL_URL is set (skips loudly otherwise): initial
// export, deltas with N:N and DeleteLog, into a bracket-quoted schema.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import { runProfile } from "./profile-runner";
import { createProfile, makeStore, sourceRows, webApi } from "./test-support";

const url = process.env.MSSQL_URL;
if (!url) console.warn("\n*** SKIPPING the SQL Server engine tests: MSSQL_URL is not set ***\n");

describe.skipIf(!url)("sync engine → SQL Server (MSSQL_URL)", () => {
  let emu: RunningEmulator;
  let db: Db;
  let profileId: string;
  const once = () =>
    runProfile(profileId, { db, sourceFactory: (o) => new DataverseClient({ url: o.url, token: "emulator-token", baseDelayMs: 5 }), pageSize: 40 }, { signal: new AbortController().signal, once: true });
  const query = async (sqlText: string) => {
    const mssql = (await import("mssql")).default;
    const { parseTarget } = await import("../destinations/target");
    const t = parseTarget(url!);
    if (t.kind !== "mssql") throw new Error("MSSQL_URL is not a SQL Server target");
    const pool = await new mssql.ConnectionPool(t.connection).connect();
    try {
      return (await pool.request().query(sqlText)).recordset as Record<string, unknown>[];
    } finally {
      await pool.close();
    }
  };

  beforeAll(async () => {
    ({ db } = makeStore());
    emu = await startEmulator({ port: 0, records: 60, seed: 31 });
    const schema = `dx${Date.now().toString(36)}`;
    profileId = await createProfile(db, { name: "mssql-e2e", source: emu.url, target: url!, schema, prefix: "t", tables: ["account", "lead"], relationships: ["accountleads_association"], deleteLog: true });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await emu?.close();
  });

  it("exports, applies deltas and logs deletes", async () => {
    expect((await once()).anyTableFailed).toBe(false);
    const p = await db.profile.findUniqueOrThrow({ where: { id: profileId } });
    const src = await sourceRows(emu.url, "account", ["name"]);
    const rows = await query(`select lower(convert(nvarchar(36), [Id])) as id, [name], [versionnumber] from [${p.schemaName}].[t_account]`);
    expect(rows.length).toBe(src.size);
    for (const r of rows) expect(String(r.versionnumber)).toBe(src.get(String(r.id))!.version);
    const api = webApi(emu.url);
    const [a1, a2] = await api.firstIds("accounts", "accountid", 2);
    await api.update("accounts", a1, { name: "mssql renamed" });
    await api.remove("accounts", a2);
    await once();
    const after = await query(`select lower(convert(nvarchar(36), [Id])) as id, [name] from [${p.schemaName}].[t_account]`);
    expect(after.find((r) => r.id === a1)!.name).toBe("mssql renamed");
    expect(after.some((r) => r.id === a2)).toBe(false);
    const log = await query(`select * from [${p.schemaName}].[DeleteLog]`);
    expect(log.length).toBe(1);
  });
});
