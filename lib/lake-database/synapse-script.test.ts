// The Synapse serverless script against golden files (UPDATE_GOLDEN=1 rewrites them after a
// deliberate change; review the diff), one column of every CDM type, typed lengths, removed tables.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { LakeColumn } from "../destinations/lake/lake-columns";
import { synapseScript, synapseType, ZLakeDatabaseName } from "./synapse-script";

const GOLDEN = path.join(import.meta.dirname, "golden");
function golden(name: string, text: string) {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(file, text);
  expect(text).toBe(fs.readFileSync(file, "utf8"));
}

const lead: LakeColumn[] = [
  { name: "Id", dataType: "guid" },
  { name: "SinkCreatedOn", dataType: "dateTime" },
  { name: "SinkModifiedOn", dataType: "dateTime" },
];
const trail: LakeColumn[] = [
  { name: "versionnumber", dataType: "int64" },
  { name: "createdon", dataType: "dateTime" },
  { name: "modifiedon", dataType: "dateTime" },
  { name: "IsDelete", dataType: "boolean" },
];
const everyType: LakeColumn[] = [
  ...lead,
  { name: "name", dataType: "string", maxLength: 160 },
  { name: "description", dataType: "string" },
  { name: "longtext", dataType: "string", maxLength: 100000 },
  { name: "parentaccountid", dataType: "guid" },
  { name: "numberofemployees", dataType: "int64" },
  { name: "exchangerate", dataType: "decimal", precision: 38, scale: 10 },
  { name: "revenue", dataType: "decimal", precision: 38, scale: 4 },
  { name: "latitude", dataType: "double" },
  { name: "donotphone", dataType: "boolean" },
  { name: "lastonholdtime", dataType: "dateTime" },
  { name: "overriddencreatedon", dataType: "dateTimeOffset" },
  ...trail,
];
const at = new Date("2026-12-01T12:00:00.000Z");

describe("Synapse serverless script", () => {
  it("matches the golden file for a table with a column of every type", () => {
    golden("all-types.sql", synapseScript({ database: "SalesLake", containerUrl: "https://acct.dfs.core.windows.net/dataverse-prod-contoso/", tables: [{ name: "account", columns: everyType }], generatedAt: at }));
  });

  it("keeps a removed table's view, saying it is no longer updated (golden)", () => {
    const contact: LakeColumn[] = [...lead, { name: "fullname", dataType: "string", maxLength: 160 }, ...trail];
    golden("removed-table.sql", synapseScript({
      database: "SalesLake", containerUrl: "https://acct.dfs.core.windows.net/dataverse-prod-contoso",
      tables: [{ name: "contact", columns: contact, removedAt: new Date("2026-11-30T08:00:00.000Z") }, { name: "account", columns: everyType }], generatedAt: at,
    }));
  });

  it("maps each CDM type; nvarchar(max) only where no length is known", () => {
    expect(everyType.map((c) => `${c.name} ${synapseType(c)}`)).toEqual([
      "Id varchar(36)", "SinkCreatedOn varchar(30)", "SinkModifiedOn varchar(30)",
      "name nvarchar(160)", "description nvarchar(max)", "longtext nvarchar(max)", "parentaccountid varchar(36)", "numberofemployees bigint",
      "exchangerate decimal(38,10)", "revenue decimal(38,4)", "latitude float", "donotphone bit", "lastonholdtime datetime2(7)", "overriddencreatedon datetimeoffset(7)",
      "versionnumber bigint", "createdon datetime2(7)", "modifiedon datetime2(7)", "IsDelete bit",
    ]);
    const script = synapseScript({ database: "d", containerUrl: "https://a.dfs.core.windows.net/c", tables: [{ name: "account", columns: everyType }], generatedAt: at });
    expect(script.match(/nvarchar\(max\)/g)).toHaveLength(2);
    expect(script).toContain("OPENROWSET(BULK N'd/account/*.csv', DATA_SOURCE = N'd_lake', FORMAT = 'CSV', PARSER_VERSION = '2.0'");
    expect(script).toContain("CREATE EXTERNAL DATA SOURCE [d_lake] WITH (LOCATION = N'https://a.dfs.core.windows.net/c')");
  });

  it("refuses database names that cannot be a folder and a Synapse database, with a clear message", () => {
    for (const bad of ["", "   ", "1sales", "sales-lake", "sales lake", "sales/../x", "x".repeat(129), "[db]"]) {
      const r = ZLakeDatabaseName.safeParse(bad);
      expect(r.success, bad).toBe(false);
      expect(r.error?.issues[0].message).toMatch(/database name/);
    }
    expect(ZLakeDatabaseName.parse(" Sales_2026 ")).toBe("Sales_2026");
    expect(() => synapseScript({ database: "sales-lake", containerUrl: "https://a.dfs.core.windows.net/c", tables: [], generatedAt: at })).toThrow(/letters, digits and _/);
  });
});
