// Physical column types per target. SQLite gets affinity names only: it enforces no widths,
// so its string columns never need widening.
import { UNBOUNDED } from "./row-values";
import type { ColumnSpec, ColumnType, SqlDestinationKind } from "./types";

type Fixed = Exclude<ColumnType, "string" | "decimal">;

const FIXED: Record<SqlDestinationKind, Record<Fixed, string>> = {
  sqlite: {
    guid: "TEXT", text: "TEXT", int: "INTEGER", bigint: "INTEGER", bool: "INTEGER",
    // SQLite has no exact decimal: NUMERIC/REAL keep ~15 digits, so Decimal and Money are exact text.
    datetime: "TEXT", date: "TEXT", float: "REAL", money: "TEXT",
  },
  postgres: {
    guid: "uuid", text: "text", int: "integer", bigint: "bigint", bool: "boolean",
    datetime: "timestamptz", date: "date", float: "double precision", money: "numeric(38,4)",
  },
  mssql: {
    guid: "uniqueidentifier", text: "nvarchar(max)", int: "int", bigint: "bigint", bool: "bit",
    datetime: "datetime2", date: "date", float: "float", money: "decimal(38,4)",
  },
};

/** `width` overrides `col.maxLength` (widening); UNBOUNDED means (n)varchar(max) / text. */
export function sqlTypeFor(kind: SqlDestinationKind, col: ColumnSpec, width?: number): string {
  if (col.type === "string") {
    if (kind === "sqlite") return "TEXT";
    const n = width ?? col.maxLength ?? 4000;
    if (n === UNBOUNDED || n > 4000) return kind === "mssql" ? "nvarchar(max)" : "text";
    return kind === "mssql" ? `nvarchar(${n})` : `varchar(${n})`;
  }
  if (col.type === "decimal") {
    const scale = Math.min(Math.max(col.precision ?? 10, 0), 38);
    return kind === "sqlite" ? "TEXT" : kind === "mssql" ? `decimal(38,${scale})` : `numeric(38,${scale})`;
  }
  return FIXED[kind][col.type];
}
