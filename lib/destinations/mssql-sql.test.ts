import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { tableSpecFor } from "./columns";
import { compilerFor } from "./compilers";
import { parsePermissionStatement, parseTsql, TsqlParseError, validateTsql } from "./mssql-fake";
import {
  BULK_STAGE,
  createSchemaSql,
  grantSql,
  liveWidth,
  permissionChecks,
  permissionQuerySql,
  REQUIRED_PERMISSIONS,
  rowsPerUpsert,
  schemaIdSql,
  STAGE_TYPES,
  stagedUpsertSql,
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ast = any;
/** A column reference as "alias.column", from the parser's AST. */
const ref = (e: Ast) => (e?.type === "column_ref" ? `${e.table}.${e.column}` : JSON.stringify(e));

/**
 * The version guard of an UPDATE, read from its AST: `t.versionnumber IS NULL OR
 * t.versionnumber <= s.<column>` — returned as [stored, incoming] when it has exactly that shape.
 */
function versionGuard(update: Ast): [string, string] | null {
  const w = update.where;
  if (w?.type !== "binary_expr" || w.operator !== "OR") return null;
  const isNull = w.left;
  const le = w.right;
  if (isNull.operator !== "IS" || isNull.right?.type !== "null") return null;
  if (le.operator !== "<=" || ref(le.left) !== ref(isNull.left)) return null;
  return [ref(le.left), ref(le.right)];
}

describe("bulk path T-SQL (#stage + guarded merge), parsed", () => {
  const spec = tableSpecFor(accountSchema(), "p");
  const v = spec.columns.findIndex((c) => c.name === "versionnumber");
  const id = spec.columns.findIndex((c) => c.name === "Id");

  it("creates #dvx_stage with one positional column per target column, typed for the bulk load", () => {
    const { create } = stagedUpsertSql("dbo", spec);
    expect(create.parameters).toEqual([]);
    const [st] = validateTsql(create.sql).ast as Ast[];
    expect(st).toMatchObject({ type: "create", keyword: "table", table: [{ table: BULK_STAGE }] });
    const defs = (st.create_definitions as Ast[]).map((d) => [d.column.column, `${String(d.definition.dataType).toLowerCase()}${d.definition.length ? `(${String(d.definition.length).toLowerCase()})` : ""}`]);
    expect(defs).toEqual(spec.columns.map((c, i) => [`c${i}`, STAGE_TYPES[c.type]]));
  });

  it("merges with the version guard (read from the AST), inserts only new ids under UPDLOCK/HOLDLOCK, then drops the stage", () => {
    const nastySpec = tableSpecFor(accountSchema(`we"ird]name`), "p");
    const { merge } = stagedUpsertSql("my]schema", nastySpec);
    expect(merge.parameters).toEqual([]);
    const parsed = validateTsql(merge.sql);
    expect(parsed.via).toBe("node-sql-parser");
    const [update, insert, drop] = parsed.ast as Ast[];
    expect(update.type).toBe("update");
    const [target, source] = update.from as Ast[];
    expect([target.db, target.table, target.as]).toEqual(["my__schema", `p_we"ird__name`, "t"]); // `]]` read as `__` (see mssql-fake)
    expect([source.table, source.as, source.join]).toEqual([BULK_STAGE, "s", "INNER JOIN"]);
    expect([ref(source.on.left), source.on.operator, ref(source.on.right)]).toEqual(["t.Id", "=", `s.c${id}`]);
    expect(versionGuard(update)).toEqual(["t.versionnumber", `s.c${v}`]);
    // Every column but Id and SinkCreatedOn is set from its own stage column.
    expect((update.set as Ast[]).map((x) => [x.column, ref(x.value)])).toEqual(
      nastySpec.columns.flatMap((c, i) => (c.name === "Id" || c.name === "SinkCreatedOn" ? [] : [[c.name.replace(/]/g, "__"), `s.c${i}`]])),
    );
    expect(insert.type).toBe("insert");
    expect(insert.columns).toEqual(nastySpec.columns.map((c) => c.name.replace(/]/g, "__")));
    expect((insert.values.columns as Ast[]).map((c) => ref(c.expr))).toEqual(nastySpec.columns.map((_, i) => `s.c${i}`));
    expect(insert.values.from[0].table).toBe(BULK_STAGE);
    const notExists = insert.values.where;
    expect(notExists.operator).toBe("NOT EXISTS");
    const probe = notExists.expr.ast;
    expect(JSON.stringify(probe.from[0].table_hint).toLowerCase()).toMatch(/updlock.*holdlock/);
    expect([ref(probe.where.left), probe.where.operator, ref(probe.where.right)]).toEqual(["t.Id", "=", `s.c${id}`]);
    expect(drop).toMatchObject({ type: "drop", keyword: "table", name: [{ table: BULK_STAGE }] });
  });

  it("the parameterised upsert carries the same guard", () => {
    const [update] = validateTsql(upsertSql("dbo", spec, [spec.columns.map(() => null)]).sql).ast as Ast[];
    expect(versionGuard(update)).toEqual(["t.versionnumber", "s.versionnumber"]);
  });

  it("versionGuard itself tells a wrong guard apart (so the checks above can fail)", () => {
    const wrong = (where: string) => (validateTsql(`update [t] set [t].[a] = [s].[a] from [x] as [t] inner join [y] as [s] on [t].[Id] = [s].[Id] where ${where};`).ast as Ast[])[0];
    expect(versionGuard(wrong("[t].[versionnumber] is null or [t].[versionnumber] >= [s].[versionnumber]"))).toBeNull();
    expect(versionGuard(wrong("[t].[versionnumber] <= [s].[versionnumber]"))).toBeNull();
    expect(versionGuard(wrong("[t].[versionnumber] is null or [s].[versionnumber] <= [t].[versionnumber]"))).toBeNull();
    expect(versionGuard(wrong("[t].[versionnumber] is null or [t].[versionnumber] <= [s].[versionnumber]"))).toEqual(["t.versionnumber", "s.versionnumber"]);
  });
});

describe("permission fixes (GRANT / CREATE SCHEMA … AUTHORIZATION): every one checked", () => {
  /** Each fix text as the statements it holds (a second, alternative statement follows "-- or create it:"). */
  const statementsOf = (fix: string) => fix.split(" -- or create it: ");

  it("every fix any check can print parses (node-sql-parser cannot read these: the narrow grammar does) and names exactly its principal, permission and schema", () => {
    let checked = 0;
    for (const user of ["exporter", "app]user", "o'neil; drop table x --", "domain\\svc"]) {
      for (const schema of ["dbo", "sch]ema", "we'ird"]) {
        for (const [schemaExists, alterSchema] of [[true, false], [false, false]] as const) {
          const fixes = permissionChecks({ user, schema, schemaExists, alterSchema, granted: [] }).filter((c) => !c.ok).map((c) => c.fix!);
          expect(fixes.length).toBe(REQUIRED_PERMISSIONS.length + 1);
          for (const fix of fixes) {
            for (const text of statementsOf(fix)) {
              const parsed = validateTsql(text);
              // Read by the grammar, never waved through: node-sql-parser refuses most of these
              // and misreads the rest (see the next test).
              expect(parsed.via).toBe("permission-grammar");
              const st = parsed.ast as ReturnType<typeof parsePermissionStatement>;
              if (st.type === "grant") {
                expect(st.to).toBe(user);
                if (st.on) expect([st.permission, st.on.name]).toEqual(["ALTER", schema]);
                else expect([...REQUIRED_PERMISSIONS, "CREATE SCHEMA"]).toContain(st.permission);
              } else {
                expect([st.name, st.authorization]).toEqual([schema, user]);
              }
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(4 * 3 * (2 * (REQUIRED_PERMISSIONS.length + 1) + 1));
  });

  it("node-sql-parser cannot be trusted with them: it refuses some and misreads others as assignments", () => {
    expect(() => parseTsql("GRANT CREATE TABLE TO [u];")).toThrow(TsqlParseError);
    expect(() => parseTsql("GRANT ALTER ON SCHEMA::[dbo] TO [u];")).toThrow(TsqlParseError);
    expect(() => parseTsql("CREATE SCHEMA [s] AUTHORIZATION [u];")).toThrow(TsqlParseError);
    const misread = parseTsql("GRANT ALTER ANY USER TO [u];");
    expect(misread.some((st) => st.type === "grant")).toBe(false);
  });

  it("the grammar refuses what is not exactly one such statement", () => {
    for (const bad of [
      "GRANT CREATE TABLE TO [a]b];", // a name that breaks out of its quotes
      "GRANT CREATE TABLE TO [u]; DROP TABLE [x];", // a second statement
      "GRANT CREATE TABLE TO [u]", // no terminator
      "GRANT DROP EVERYTHING TO [u];", // not a permission the target asks for
      "GRANT ALTER ON OBJECT::[x] TO [u];",
      "GRANT CREATE TABLE TO u';",
      "CREATE SCHEMA [s];",
      "REVOKE CREATE TABLE FROM [u];",
    ]) {
      expect(() => parsePermissionStatement(bad), bad).toThrow(TsqlParseError);
    }
    expect(parsePermissionStatement("GRANT ALTER ON SCHEMA::[a]]b] TO [c]]d];")).toEqual({ type: "grant", permission: "ALTER", on: { class: "SCHEMA", name: "a]b" }, to: "c]d" });
    // Anything that is neither parsable T-SQL nor one of these forms is refused outright.
    expect(() => validateTsql("MERGE INTO WHERE")).toThrow(TsqlParseError);
  });
});
