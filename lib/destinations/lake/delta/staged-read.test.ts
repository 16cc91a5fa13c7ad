// Staged pages read back (staged-read.ts): upsert pages are CSV under a header, so every value
// must come back exactly as JSON lines gave it — quotes, commas, line breaks, empty text against
// null, non-ASCII, a Memo past DuckDB's default line size; pages staged before an added column
// read it as null; pages staged as JSON lines by an earlier version are still committed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tableSpecFor } from "../../columns";
import { accountRecord, accountSchema, guid } from "../../test-fixtures";
import { FolderStorage } from "../folder-storage";
import { DeltaDestination } from "./delta-destination";
import { tableDirOf } from "./delta-table";
import { liveRows } from "./test-support";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-delta-staged-"));
const dests: DeltaDestination[] = [];
afterAll(async () => {
  for (const d of dests) await d.close().catch(() => undefined);
  fs.rmSync(root, { recursive: true, force: true });
});

const lake = { format: "delta" as const, deltaCompactMinutes: 1e6, deltaVacuumMinutes: 1e6 };

describe("staged pages read back", () => {
  const storage = new FolderStorage(path.join(root, "lake"));
  const dir = tableDirOf("account");
  const open = (convertRows?: number) => {
    const d = new DeltaDestination(storage, { schemaName: "dbo", prefix: "", lake }, undefined, Date.now, convertRows);
    dests.push(d);
    return d;
  };
  const spec = tableSpecFor(accountSchema("account"), "");
  const awkward = [
    'say "hi", then leave',
    "two\nlines\r\nand a carriage\rreturn",
    "",
    ",",
    '"',
    "naïve café — 東京 🚀",
    "trailing space ",
    "null",
    "a\\b\tc",
  ];

  for (const [how, convertRows] of [["committed from the pages", 0], ["converted to Parquet first", 1]] as const) {
    it(`text values come back exact (${how})`, async () => {
      const d = open(convertRows);
      await d.ensureTable(spec);
      const base = convertRows ? 1000 : 2000;
      await d.upsert(spec, awkward.map((name, i) => accountRecord(base + i, 1, { name, description: name })));
      const memo = `${"x".repeat(3_000_000)}"${"é".repeat(10)}\n`;
      await d.upsert(spec, [accountRecord(base + 100, 1, { description: memo, name: null, accountnumber: "" })]);
      await (await d.table("account")).settled();
      await d.maintain([]);
      const rows = await liveRows(storage, dir);
      awkward.forEach((name, i) => {
        expect(rows.get(guid(base + i))!.name).toBe(name);
        expect(rows.get(guid(base + i))!.description).toBe(name);
      });
      const r = rows.get(guid(base + 100))!;
      expect(r.description).toBe(memo);
      expect(r.name).toBeNull();
      expect(Number(r.numberofemployees)).toBe((base + 100) % 1000);
      expect(r.IsDelete ?? null).toBeNull();
    }, 120_000);
  }

  it("a page staged before an added column reads it as null; one staged after has it", async () => {
    const d = open(0);
    await d.upsert(spec, [accountRecord(3000, 5, { name: "before" })]);
    const schema = accountSchema("account");
    schema.attributes.push({ logicalName: "cr0a1_score", kind: "Integer", typeName: "IntegerType", isPrimaryId: false, isValidForRead: true });
    const wider = tableSpecFor(schema, "");
    await d.ensureTable(wider);
    await d.upsert(wider, [accountRecord(3001, 5, { name: "after", cr0a1_score: 9 })]);
    await d.maintain([]);
    const rows = await liveRows(storage, dir);
    expect(rows.get(guid(3000))!.name).toBe("before");
    expect(rows.get(guid(3000))!.cr0a1_score ?? null).toBeNull();
    expect(Number(rows.get(guid(3001))!.cr0a1_score)).toBe(9);
  }, 120_000);

  it("a run converted to one Parquet file by an earlier version (`.u.parquet`, PartitionId inside) is committed", async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:");
    const db = await instance.connect();
    const file = path.join(root, "lake", dir, "_staging", "000000999990-000000999991-0badc0de.u.parquet");
    await db.run(`COPY (SELECT '${guid(4001)}' AS Id, 8::BIGINT AS versionnumber, 'from parquet' AS name, '2022' AS PartitionId) TO '${file}' (FORMAT parquet)`);
    db.closeSync();
    instance.closeSync();
    const d = open(0);
    await d.ensureTable(spec);
    await d.maintain([]);
    const r = (await liveRows(storage, dir)).get(guid(4001))!;
    expect(r.name).toBe("from parquet");
    expect(r.PartitionId).toBe("2022");
  }, 120_000);

  it("a page staged as JSON lines by an earlier version is committed", async () => {
    const row = { Id: guid(4000), name: "from json", versionnumber: "7", revenue: "12.5", createdon: "2024-03-05T10:11:12.000Z", PartitionId: "2024" };
    await storage.write(`${dir}/_staging/000000999999-0badc0de.u.json`, `${JSON.stringify(row)}\n`);
    const d = open(0);
    await d.ensureTable(spec);
    await d.maintain([]);
    const r = (await liveRows(storage, dir)).get(guid(4000))!;
    expect(r.name).toBe("from json");
    expect(String(r.revenue)).toBe("12.5000");
    expect(r.PartitionId).toBe("2024");
    expect(await storage.list(`${dir}/_staging/`)).toEqual([]);
  }, 120_000);
});
