// The keyset page query behind Destination.scanIdVersions, per dialect, free of any connection so
// it can be checked without a server (id-scan.test.ts). Rows come in SQL Server's uniqueidentifier
// order (lib/dataverse/sql-guid-order.ts): SQL Server sorts its uniqueidentifier Id so natively; SQLite
// and PostgreSQL sort on a text key built from the same byte slices.
import { sql, type CompiledQuery, type RawBuilder } from "kysely";
import { SQL_GUID_KEY_SLICES, sqlGuidSortKey } from "../dataverse/sql-guid-order";
import { SYSTEM_COLUMNS } from "./columns";
import { compilerFor } from "./compilers";
import type { SqlDestinationKind, IdVersion } from "./types";

export const DEFAULT_ID_PAGE = 5000;

/** The sort key of `idText` (a lower-case 36-character GUID text) as SQL: substr(…) || substr(…) || … */
function keyExpr(idText: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql.join(SQL_GUID_KEY_SLICES.map(([start, length]) => sql`substr(${idText}, ${sql.lit(start)}, ${sql.lit(length)})`), sql` || `);
}

/**
 * One page of (id, v) after the row `after` (null: from the start). `table` is the quoted,
 * schema-qualified table reference of the dialect.
 */
export function idPageSql(kind: SqlDestinationKind, table: RawBuilder<unknown>, after: string | null, limit: number): CompiledQuery {
  const id = sql.id(SYSTEM_COLUMNS.id);
  const version = sql.id(SYSTEM_COLUMNS.version);
  const n = Math.max(1, Math.floor(limit));
  if (kind === "mssql") {
    const where = after === null ? sql`` : sql` where ${id} > convert(uniqueidentifier, ${after})`;
    return sql`select top (${sql.lit(n)}) lower(convert(nvarchar(36), ${id})) as ${sql.id("id")}, ${version} as ${sql.id("v")} from ${table}${where} order by ${id}`.compile(compilerFor(kind));
  }
  const text = kind === "postgres" ? sql`${id}::text` : sql`lower(${id})`;
  const key = keyExpr(text);
  const where = after === null ? sql`` : sql` where ${key} > ${sqlGuidSortKey(after)}`;
  return sql`select ${text} as ${sql.id("id")}, ${version} as ${sql.id("v")} from ${table}${where} order by ${key} limit ${sql.lit(n)}`.compile(compilerFor(kind));
}

/** Driver rows → IdVersion (versions as decimal text whatever the driver returned). */
export function toIdVersions(rows: Record<string, unknown>[]): IdVersion[] {
  return rows.map((r) => ({ id: String(r.id).toLowerCase(), version: r.v === null || r.v === undefined ? null : String(r.v) }));
}
