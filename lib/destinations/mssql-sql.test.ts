import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { tableSpecFor } from "./columns";
import { compilerFor } from "./compilers";
import {
  createSchemaSql,
  grantSql,
  liveWidth,
  permissionChecks,
  permissionQuerySql,
  REQUIRED_PERMISSIONS,
  rowsPerUpsert,
  schemaIdSql,
  upsertSql,
  widenColumnSql,
} from "./mssql-sql";
import { UNBOUNDED } from "./row-values";
import { accountSchema } from "./test-fixtures";
import type { TargetTableSpec } from "./types";

const nasty: TargetTableSpec = {
  entity: "x",
  tableName: "we\"ird]name;--",
  kind: "entity",
  columns: [
    { name: "Id", type: "guid", nullable: false },
    { name: "SinkCreatedOn", type: "datetime", nullable: true },
    { name: "SinkModifiedOn", type: "datetime", nullable: true },
    { name: "versionnumber", type: "bigint", nullable: true },
    { name: "O'Brien]", type: "string", maxLength: 10, nullable: true },
  ],
};

describe("T-SQL generation", () => {
  it("quotes identifiers with brackets, doubling ] and leaving [ \" ' ; alone", () => {
    const q = sql`select ${sql.id("a]b[c\"d'e;f")} from ${sql.id("my]schema", "t")}`.compile(compilerFor("mssql"));
    expect(q.sql).toBe(`select [a]]b[c"d'e;f] from [my]]schema].[t]`);
  });

  it("upserts with UPDATE (version guard) then INSERT (new ids only), both reading one set of parameters", () => {
    const rows = [
      ["id1", "now", "now", "5", "x"],
      ["id2", "now", "now", "6", "y"],
    ];
    const q = upsertSql("dbo", nasty, rows);
    const source = `(values (@1, @2, @3, @4, @5), (@6, @7, @8, @9, @10)) as [s] ([Id], [SinkCreatedOn], [SinkModifiedOn], [versionnumber], [O'Brien]]])`;
    expect(q.sql).toBe(
      `update [t] set [t].[SinkModifiedOn] = [s].[SinkModifiedOn], [t].[versionnumber] = [s].[versionnumber], [t].[O'Brien]]] = [s].[O'Brien]]]
from [dbo].[we"ird]]name;--] as [t]
inner join ${source} on [t].[Id] = [s].[Id]
where [t].[versionnumber] is null or [t].[versionnumber] <= [s].[versionnumber];
insert into [dbo].[we"ird]]name;--] ([Id], [SinkCreatedOn], [SinkModifiedOn], [versionnumber], [O'Brien]]])
select [s].[Id], [s].[SinkCreatedOn], [s].[SinkModifiedOn], [s].[versionnumber], [s].[O'Brien]]] from ${source}
where not exists (select 1 from [dbo].[we"ird]]name;--] as [t] with (updlock, holdlock) where [t].[Id] = [s].[Id]);`,
    );
    expect(q.parameters).toEqual(rows.flat());
  });

  it("keeps every upsert under the 2100-parameter limit", () => {
    const spec = tableSpecFor(accountSchema(), "p");
    const per = rowsPerUpsert(spec.columns.length);
    expect(per * spec.columns.length).toBeLessThanOrEqual(2100);
    expect(rowsPerUpsert(1)).toBe(1000);
    expect(rowsPerUpsert(5000)).toBe(1);
  });

  it("widens with ALTER COLUMN, to nvarchar(max) beyond 4000, keeping NULL", () => {
    const col = nasty.columns[4];
    expect(widenColumnSql("dbo", nasty.tableName, col, 25).sql).toBe(`alter table [dbo].[we"ird]]name;--] alter column [O'Brien]]] nvarchar(25) null`);
    expect(widenColumnSql("dbo", "t", col, UNBOUNDED).sql).toBe(`alter table [dbo].[t] alter column [O'Brien]]] nvarchar(max) null`);
  });

  it("looks the schema up by parameter and creates it alone in its batch, bracket-quoted", () => {
    expect(schemaIdSql("sch]ema")).toMatchObject({ sql: "select schema_id(@1) as [id]", parameters: ["sch]ema"] });
    expect(createSchemaSql("sch]ema")).toMatchObject({ sql: "create schema [sch]]ema]", parameters: [] });
  });

  it("reads widths from INFORMATION_SCHEMA (-1 = max)", () => {
    expect(liveWidth("nvarchar", 100)).toBe(100);
    expect(liveWidth("nvarchar", -1)).toBeNull();
    expect(liveWidth("int", null)).toBeNull();
  });
});

describe("SQL Server permission checks", () => {
  it("queries has_perms_by_name with the schema as a parameter", () => {
    const q = permissionQuerySql("dbo");
    expect(q.sql).toContain("has_perms_by_name(@2, 'SCHEMA', 'ALTER')");
    expect(q.parameters).toEqual(["dbo", "dbo"]);
  });

  it("prints the exact GRANT, bracket-quoting the user", () => {
    expect(grantSql("CREATE TABLE", "app]user")).toBe("GRANT CREATE TABLE TO [app]]user];");
    expect(grantSql("ALTER", "u", "dbo")).toBe("GRANT ALTER ON SCHEMA::[dbo] TO [u];");
  });

  it("names each missing DES permission with its GRANT", () => {
    const checks = permissionChecks({ user: "exporter", schema: "dbo", schemaExists: true, alterSchema: true, granted: ["CONNECT", "CREATE TABLE", "VIEW DATABASE STATE"] });
    const failed = checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.fix)).toEqual([
      "GRANT CREATE TYPE TO [exporter];",
      "GRANT CREATE VIEW TO [exporter];",
      "GRANT CREATE PROCEDURE TO [exporter];",
      "GRANT ALTER ANY USER TO [exporter];",
    ]);
    expect(failed[0].message).toBe("Database user exporter does not have the CREATE TYPE permission.");
    expect(checks.find((c) => c.id === "schema")!.ok).toBe(true);
  });

  it("passes a user holding everything, and explains a schema it cannot use or create", () => {
    const all = [...REQUIRED_PERMISSIONS];
    expect(permissionChecks({ user: "u", schema: "dbo", schemaExists: true, alterSchema: true, granted: all }).every((c) => c.ok)).toBe(true);
    const locked = permissionChecks({ user: "u", schema: "sales", schemaExists: true, alterSchema: false, granted: all }).find((c) => c.id === "schema")!;
    expect(locked).toMatchObject({ ok: false, fix: "GRANT ALTER ON SCHEMA::[sales] TO [u];" });
    const missing = permissionChecks({ user: "u", schema: "new", schemaExists: false, alterSchema: false, granted: all }).find((c) => c.id === "schema")!;
    expect(missing.ok).toBe(false);
    expect(missing.fix).toContain("GRANT CREATE SCHEMA TO [u];");
    expect(missing.fix).toContain("CREATE SCHEMA [new] AUTHORIZATION [u];");
    expect(permissionChecks({ user: "u", schema: "new", schemaExists: false, alterSchema: false, granted: [...all, "CREATE SCHEMA"] }).every((c) => c.ok)).toBe(true);
  });
});
