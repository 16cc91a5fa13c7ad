// DuckDB SQL pieces shared by the lake readers and the Delta writer: quoting, and the DuckDB type
// a lake column is typed with.
import type { LakeColumn } from "./lake-columns";

export const quoteId = (s: string) => `"${s.replace(/"/g, '""')}"`;
export const quoteStr = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** DuckDB type of a lake column; dates are TIMESTAMPTZ (the CSV reader reads them as text and parses them itself). */
export function duckType(c: LakeColumn): string {
  switch (c.dataType) {
    case "int64":
      return "BIGINT";
    case "double":
      return "DOUBLE";
    case "decimal":
      return `DECIMAL(${c.precision ?? 38},${Math.min(38, Math.max(0, c.scale ?? 10))})`;
    case "boolean":
      return "BOOLEAN";
    case "dateTime":
    case "dateTimeOffset":
      return "TIMESTAMPTZ";
    default:
      return "VARCHAR";
  }
}
