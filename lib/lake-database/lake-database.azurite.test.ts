// A lake database on Azure Blob Storage (Azurite): the files go under <container>/<path>/<database>/
// and the DuckDB database file holds a copy of the rows (raw.<table> are tables: the downloaded
// files are gone after the build), whose latest-state views match the emulator.
import { BlobServiceClient } from "@azure/storage-blob";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import { expectLakeMatchesSource } from "../destinations/lake/test-support";
import { runProfile } from "../sync/profile-runner";
import { createProfile, makeStore } from "../sync/test-support";
import { startAzurite, type RunningAzurite } from "../testing/azurite";
import { duckdbFile } from "./location";

let az: RunningAzurite | null;
let emu: RunningEmulator;
let db: Db;

beforeAll(async () => {
  az = await startAzurite("lake database tests on Azurite");
  if (!az) return;
  ({ db } = makeStore());
  emu = await startEmulator({ port: 0, records: 50, seed: 17 });
}, 120_000);
afterAll(async () => {
  if (!az) return;
  await db.$disconnect();
  await emu.close();
  await az.close();
});

describe("lake database on Azure Blob (Azurite)", () => {
  it("writes under <container>/<path>/<database>/ and copies the rows into the DuckDB file", async (ctx) => {
    if (!az) return ctx.skip();
    await BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient("salesdb").create();
    const profileId = await createProfile(db, { name: "azure-lakedb", source: emu.url, target: az.target("salesdb", "exports"), tables: ["account"], lakeDatabase: "Sales", snapshotMinutes: 0 });
    const r = await runProfile(profileId, {
      db, pageSize: 40, lakeDatabaseEveryMs: 0,
      sourceFactory: (org) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxRetries: 1 }),
    }, { signal: new AbortController().signal, once: true });
    expect(r.anyTableFailed).toBe(false);
    const names: string[] = [];
    for await (const b of BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient("salesdb").listBlobsFlat({ prefix: "exports/" })) names.push(b.name);
    expect(names).toContain("exports/Sales/model.json");
    expect(names.every((n) => n.startsWith("exports/Sales/"))).toBe(true);
    const instance = await DuckDBInstance.create(duckdbFile(profileId, "Sales"), { access_mode: "READ_ONLY" });
    const conn = await instance.connect();
    try {
      const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
      expect(await q("select schema_name, table_name from duckdb_tables() where schema_name = 'raw'")).toEqual([{ schema_name: "raw", table_name: "account" }]);
      await expectLakeMatchesSource({ tables: ["account"], query: q, close: async () => undefined }, emu.url, "account");
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }, 240_000);
});
