// Test helpers (not a test file): compare a lake table read back with DuckDB against the source
// rows, column by column, with the same mapping the writer uses.
import { expect } from "vitest";
import { DataverseClient } from "../../dataverse/client";
import type { SourceRecord } from "../../dataverse/types";
import { tableSpecFor } from "../columns";
import { identityEncoder, makeRowBuilder } from "../row-values";
import type { TargetTableSpec } from "../types";
import { readableEntities, annotation } from "./model-json";
import type { LakeReader } from "./reader";
import type { LakeStorage } from "./storage";

export async function specOf(url: string, table: string, prefix = ""): Promise<TargetTableSpec> {
  const client = new DataverseClient({ url, token: "emulator-token" });
  return tableSpecFor(await client.getTableSchema(table), prefix);
}

/** Every live record of a table at the source, with every column the target exports. */
export async function sourceTable(url: string, table: string, prefix = ""): Promise<{ spec: TargetTableSpec; rows: Map<string, SourceRecord> }> {
  const client = new DataverseClient({ url, token: "emulator-token" });
  const schema = await client.getTableSchema(table);
  const spec = tableSpecFor(schema, prefix);
  const select = [...new Set(spec.columns.map((c) => c.attribute).filter((a): a is string => Boolean(a)))];
  const rows = new Map<string, SourceRecord>();
  for await (const page of client.readChanges(schema.table, { select, pageSize: 5000 })) for (const r of page.upserts) rows.set(r.id.toLowerCase(), r);
  return { spec, rows };
}

/** The lake table's latest state equals the source: same Ids, versions and every value. */
export async function expectLakeMatchesSource(reader: LakeReader, url: string, table: string, prefix = ""): Promise<number> {
  const { spec, rows: src } = await sourceTable(url, table, prefix);
  const lake = await reader.query(`select * from "${spec.tableName}"`);
  return expectRowsMatchSource(spec, src, new Map(lake.map((r) => [String(r.Id), r])), "the lake");
}

/** DuckDB's JSON form of a timestamp ("2024-01-02 03:04:05", or with "+00" for TIMESTAMPTZ) as epoch ms (UTC). */
const instant = (v: unknown) => {
  const s = String(v).replace(" ", "T").replace(/\+00(:00)?$/, "Z");
  return Date.parse(/(Z|[+-]\d\d:\d\d)$/.test(s) ? s : `${s}Z`);
};

/** Rows read back from a target (by Id) equal the source rows: same Ids and every value but the Sink dates. */
export function expectRowsMatchSource(spec: TargetTableSpec, src: Map<string, SourceRecord>, byId: Map<string, Record<string, unknown>>, target: string): number {
  const table = spec.tableName;
  expect(byId.size, `${table}: rows`).toBe(src.size);
  const build = makeRowBuilder(spec, identityEncoder);
  for (const [id, s] of src) {
    const got = byId.get(id);
    expect(got, `${table} ${id} missing from ${target}`).toBeDefined();
    const want = build(s, null);
    spec.columns.forEach((c, i) => {
      if (c.name === "SinkCreatedOn" || c.name === "SinkModifiedOn") return;
      const w = want[i];
      const g = got![c.name];
      const where = `${table} ${id} ${c.name}`;
      if (w === null || w === undefined) return void expect(g ?? null, where).toBeNull();
      switch (c.type) {
        case "datetime":
        case "date":
          return void expect(instant(g), where).toBe(Date.parse(String(w)));
        case "decimal":
        case "money":
        case "float":
          return void expect(Number(g), where).toBeCloseTo(Number(w), 6);
        case "bool":
          return void expect(g, where).toBe(w);
        default:
          return void expect(String(g), where).toBe(String(w));
      }
    });
  }
  return src.size;
}

/** model.json passes the rules Microsoft's reader applies; returns the names of Completed entities. */
export async function expectReadableModel(storage: LakeStorage): Promise<string[]> {
  const raw = await storage.read("model.json");
  expect(raw, "model.json exists").not.toBeNull();
  const r = readableEntities(JSON.parse(raw!.toString("utf8")));
  if (!r.ok) throw new Error(`model.json refused: ${r.reason}`);
  for (const e of r.entities) {
    expect(annotation(e, "Athena:InitialSyncDataCompletedTime"), e.name).toBeTruthy();
    expect(annotation(e, "Athena:PartitionGranularity")).toMatch(/^(Year|Month)$/);
    expect(e.attributes.slice(0, 3).map((a) => a.name)).toEqual(["Id", "SinkCreatedOn", "SinkModifiedOn"]);
  }
  return r.entities.map((e) => e.name);
}
