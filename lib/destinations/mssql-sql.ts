// T-SQL text for the SQL Server target, kept free of any connection so it can be checked
// without a server (mssql-sql.test.ts): bracket quoting, the version-guarded upsert, widening,
// the DES permission checks and their GRANT fixes.
import { sql, type CompiledQuery, type RawBuilder } from "kysely";
import { SYSTEM_COLUMNS } from "./columns";
import { compilerFor } from "./compilers";
import { UNBOUNDED } from "./row-values";
import { sqlTypeFor } from "./sql-types";
import type { ColumnSpec, ColumnType, TargetTableSpec, ValidationCheck } from "./types";

/** SQL Server accepts 2100 parameters per request; a little is left for the driver. */
export const MSSQL_MAX_PARAMS = 2000;

const compile = (q: RawBuilder<unknown>): CompiledQuery => q.compile(compilerFor("mssql"));

export const tableRef = (schema: string, table: string) => sql.id(schema, table);

/** Rows per upsert so that rows × columns stays under the parameter limit (VALUES allows 1000 rows). */
export function rowsPerUpsert(columnCount: number): number {
  return Math.max(1, Math.min(1000, Math.floor(MSSQL_MAX_PARAMS / columnCount)));
}

/**
 * The version-guarded upsert from a source aliased [s]: an UPDATE of the existing rows whose
 * stored versionnumber is not newer, then an INSERT of the ids not there yet (SinkCreatedOn is
 * written on insert only); UPDLOCK + HOLDLOCK close the race between the check and the insert.
 * `col(i)` is the source column holding spec.columns[i].
 * UPDATE + INSERT rather than MERGE: MERGE has a long list of known defects and needs a unique
 * source row per target row; these two statements are the form Microsoft's own guidance falls
 * back to, and T-SQL parsers (and reviewers) read them.
 */
function guardedUpsert(schema: string, spec: TargetTableSpec, source: RawBuilder<unknown>, col: (i: number) => string): CompiledQuery {
  const cols = spec.columns.map((c) => c.name);
  const t = (c: string) => sql`${sql.id("t")}.${sql.id(c)}`;
  const s = (i: number) => sql`${sql.id("s")}.${sql.id(col(i))}`;
  const target = tableRef(schema, spec.tableName);
  const id = cols.indexOf(SYSTEM_COLUMNS.id);
  const v = cols.indexOf(SYSTEM_COLUMNS.version);
  const updates = cols.flatMap((c, i) => (c === SYSTEM_COLUMNS.id || c === SYSTEM_COLUMNS.createdOn ? [] : [sql`${t(c)} = ${s(i)}`]));
  const update = compile(sql`update ${sql.id("t")} set ${sql.join(updates)}
from ${target} as ${sql.id("t")}
inner join ${source} on ${t(cols[id])} = ${s(id)}
where ${t(cols[v])} is null or ${t(cols[v])} <= ${s(v)};`);
  const insert = compile(sql`insert into ${target} (${sql.join(cols.map((c) => sql.id(c)))})
select ${sql.join(cols.map((_, i) => s(i)))} from ${source}
where not exists (select 1 from ${target} as ${sql.id("t")} with (updlock, holdlock) where ${t(cols[id])} = ${s(id)});`);
  // Each statement numbers its parameters from @1 over the same source: one set serves both.
  return { ...update, sql: `${update.sql}\n${insert.sql}` };
}

/**
 * One request upserting `rows` (values in spec.columns order, bound as @1…@n row by row) from
 * multi-row VALUES; both statements read the same @1…@n, so the values travel once.
 */
export function upsertSql(schema: string, spec: TargetTableSpec, rows: unknown[][]): CompiledQuery {
  const cols = spec.columns.map((c) => c.name);
  const source = sql`(values ${sql.join(rows.map((r) => sql`(${sql.join(r)})`))}) as ${sql.id("s")} (${sql.join(cols.map((c) => sql.id(c)))})`;
  return guardedUpsert(schema, spec, source, (i) => cols[i]);
}

/** The bulk path's staging table: a local temporary table, so private to the connection. */
export const BULK_STAGE = "#dvx_stage";

/**
 * Staging column types: the bulk-load wire types of the rows (mssql.ts paramType declares the
 * same ones). Strings are unbounded, so the stage never depends on the target's widths; Decimal
 * and Money travel as exact text and the server converts them into the column's decimal(38,s),
 * as on the parameterised path.
 */
export const STAGE_TYPES: Record<ColumnType, string> = {
  guid: "uniqueidentifier", string: "nvarchar(max)", text: "nvarchar(max)", int: "int", bigint: "bigint",
  bool: "bit", datetime: "datetime2(7)", date: "date", decimal: "varchar(64)", float: "float", money: "varchar(64)",
};

/** Staging column of spec.columns[i]: positional names, so no target column name (however hostile) reaches the bulk load. */
export const stageColumn = (i: number) => `c${i}`;

export interface StagedUpsert {
  /** CREATE TABLE #dvx_stage; must run as a batch (not sp_executesql) so the table outlives it. */
  create: CompiledQuery;
  /** The version-guarded UPDATE + INSERT from the stage, then DROP TABLE; no parameters. */
  merge: CompiledQuery;
}

/**
 * The bulk path, in one transaction: `create` (a batch), the rows bulk-loaded into BULK_STAGE
 * (columns stageColumn(i) typed STAGE_TYPES), then `merge` (a batch). A failed batch rolls the
 * transaction back, which drops the stage too.
 */
export function stagedUpsertSql(schema: string, spec: TargetTableSpec): StagedUpsert {
  const stage = sql.id(BULK_STAGE);
  const defs = spec.columns.map((c, i) => sql`${sql.id(stageColumn(i))} ${sql.raw(STAGE_TYPES[c.type])} null`);
  const create = compile(sql`create table ${stage} (${sql.join(defs)})`);
  const upsert = guardedUpsert(schema, spec, sql`${stage} as ${sql.id("s")}`, stageColumn);
  return { create, merge: { ...upsert, sql: `${upsert.sql}\n${compile(sql`drop table ${stage};`).sql}` } };
}

/**
 * Backfill of added columns: sets the columns after Id and versionnumber (spec.columns' first
 * two) on existing rows whose stored version is not newer; rows bound as @1…@n row by row.
 */
export function updateColumnsSql(schema: string, spec: TargetTableSpec, rows: unknown[][]): CompiledQuery {
  const [id, version, ...set] = spec.columns.map((c) => c.name);
  const t = (c: string) => sql`${sql.id("t")}.${sql.id(c)}`;
  const s = (c: string) => sql`${sql.id("s")}.${sql.id(c)}`;
  const values = rows.map((r) => sql`(${sql.join(r)})`);
  return compile(sql`update ${sql.id("t")} set ${sql.join(set.map((c) => sql`${t(c)} = ${s(c)}`))}
from ${tableRef(schema, spec.tableName)} as ${sql.id("t")}
inner join (values ${sql.join(values)}) as ${sql.id("s")} (${sql.join(spec.columns.map((c) => sql.id(c.name)))}) on ${t(id)} = ${s(id)}
where ${t(version)} is null or ${t(version)} <= ${s(version)};`);
}

/** Seen ids of a re-export (DataverseExportSeen); a pair already there is skipped, so replays are harmless. */
export function seenInsertSql(schema: string, table: string, ids: string[]): CompiledQuery {
  const values = ids.map((id) => sql`(${id})`);
  const seen = tableRef(schema, "DataverseExportSeen");
  return compile(sql`insert into ${seen} ([TableName], [Id])
select ${table}, ${sql.id("v")}.${sql.id("Id")} from (values ${sql.join(values)}) as ${sql.id("v")} ([Id])
where not exists (select 1 from ${seen} as ${sql.id("s")} with (updlock, holdlock) where ${sql.id("s")}.[TableName] = ${table} and ${sql.id("s")}.[Id] = ${sql.id("v")}.[Id]);`);
}

/** Widening keeps the column nullable; ALTER COLUMN would otherwise reset it to the session default. */
export function widenColumnSql(schema: string, table: string, col: ColumnSpec, to: number): CompiledQuery {
  const type = to === UNBOUNDED ? "nvarchar(max)" : sqlTypeFor("mssql", col, to);
  return compile(sql`alter table ${tableRef(schema, table)} alter column ${sql.id(col.name)} ${sql.raw(type)} null`);
}

export function schemaIdSql(schema: string): CompiledQuery {
  return compile(sql`select schema_id(${schema}) as ${sql.id("id")}`);
}

/** CREATE SCHEMA must be alone in its batch: this request holds nothing else (name bracket-quoted). */
export function createSchemaSql(schema: string): CompiledQuery {
  return compile(sql`create schema ${sql.id(schema)}`);
}

export function liveColumnsSql(schema: string, table: string): CompiledQuery {
  return compile(sql`select COLUMN_NAME as name, DATA_TYPE as type, CHARACTER_MAXIMUM_LENGTH as len
from INFORMATION_SCHEMA.COLUMNS where TABLE_SCHEMA = ${schema} and TABLE_NAME = ${table} order by ORDINAL_POSITION`);
}

/** Width of a bounded (n)varchar column from an INFORMATION_SCHEMA row; -1 there means max. */
export function liveWidth(type: string, len: number | null): number | null {
  return /^n?varchar$/i.test(type) && len !== null && len > 0 ? len : null;
}

/** What DES demanded of the target database user. */
export const REQUIRED_PERMISSIONS = [
  "CREATE TABLE",
  "CREATE TYPE",
  "CREATE VIEW",
  "CREATE PROCEDURE",
  "ALTER ANY USER",
  "VIEW DATABASE STATE",
] as const;

export function permissionQuerySql(schema: string): CompiledQuery {
  return compile(sql`select user_name() as ${sql.id("user")}, db_name() as ${sql.id("db")},
  case when schema_id(${schema}) is null then 0 else 1 end as ${sql.id("schemaExists")},
  isnull(has_perms_by_name(${schema}, 'SCHEMA', 'ALTER'), 0) as ${sql.id("alterSchema")}`);
}

/** Effective database permissions, role memberships included (db_owner yields them all). */
export const MY_PERMISSIONS_SQL = "select permission_name from fn_my_permissions(null, 'DATABASE')";

export function grantSql(permission: string, user: string, schema?: string): string {
  const on = schema === undefined ? sql`` : sql` ON SCHEMA::${sql.id(schema)}`;
  return compile(sql`GRANT ${sql.raw(permission)}${on} TO ${sql.id(user)};`).sql;
}

export interface PermissionFacts {
  user: string;
  schema: string;
  schemaExists: boolean;
  alterSchema: boolean;
  /** permission_name values from fn_my_permissions(NULL, 'DATABASE'). */
  granted: string[];
}

/** One check per DES permission plus the schema; each failure carries the GRANT that fixes it. */
export function permissionChecks(f: PermissionFacts): ValidationCheck[] {
  const have = new Set(f.granted.map((p) => p.trim().toUpperCase()));
  const checks: ValidationCheck[] = REQUIRED_PERMISSIONS.map((perm) =>
    have.has(perm)
      ? { id: `permission:${perm}`, label: `${perm} permission`, ok: true }
      : {
          id: `permission:${perm}`,
          label: `${perm} permission`,
          ok: false,
          message: `Database user ${f.user} does not have the ${perm} permission.`,
          fix: grantSql(perm, f.user),
        },
  );
  if (f.schemaExists) {
    checks.push(
      f.alterSchema
        ? { id: "schema", label: `Tables can be created in schema [${f.schema}]`, ok: true }
        : {
            id: "schema",
            label: `Tables can be created in schema [${f.schema}]`,
            ok: false,
            message: `Database user ${f.user} may not alter schema [${f.schema}], so it cannot create tables in it.`,
            fix: grantSql("ALTER", f.user, f.schema),
          },
    );
  } else {
    const ok = have.has("CREATE SCHEMA");
    checks.push(
      ok
        ? { id: "schema", label: `Schema [${f.schema}] can be created`, ok: true }
        : {
            id: "schema",
            label: `Schema [${f.schema}] can be created`,
            ok: false,
            message: `Schema [${f.schema}] does not exist and ${f.user} may not create schemas.`,
            fix: `${grantSql("CREATE SCHEMA", f.user)} -- or create it: ${compile(sql`CREATE SCHEMA ${sql.id(f.schema)} AUTHORIZATION ${sql.id(f.user)};`).sql}`,
          },
    );
  }
  return checks;
}
