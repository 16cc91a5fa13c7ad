// Column types of a Delta table written from a lake table spec: the Synapse Link column order
// (lake-columns.ts) plus the partition column `PartitionId` (createdon year or month, "1" without
// one), mapped to Delta primitive types and the DuckDB types the Parquet files are written with.
import type { LakeColumn } from "../lake-columns";

export { duckType, quoteId, quoteStr } from "../duck-sql";

export const PARTITION_COLUMN = "PartitionId";

export function deltaType(c: LakeColumn): string {
  switch (c.dataType) {
    case "int64":
      return "long";
    case "double":
      return "double";
    case "decimal":
      return `decimal(${c.precision ?? 38},${Math.min(38, Math.max(0, c.scale ?? 10))})`;
    case "boolean":
      return "boolean";
    case "dateTime":
    case "dateTimeOffset":
      // Delta `timestamp`: microseconds, UTC (Parquet isAdjustedToUTC = true; DuckDB TIMESTAMPTZ).
      return "timestamp";
    default:
      return "string";
  }
}

/** The Delta schemaString: every data column (nullable) and the partition column last. */
export function schemaString(columns: LakeColumn[]): string {
  const fields = columns.map((c) => ({ name: c.name, type: deltaType(c), nullable: true, metadata: {} }));
  fields.push({ name: PARTITION_COLUMN, type: "string", nullable: true, metadata: {} });
  return JSON.stringify({ type: "struct", fields });
}

/** Columns back from a schemaString (types only as far as the writer needs them). */
export function columnsOfSchema(schema: string): LakeColumn[] {
  const s = JSON.parse(schema) as { fields: { name: string; type: string }[] };
  return s.fields
    .filter((f) => f.name !== PARTITION_COLUMN)
    .map((f): LakeColumn => {
      const dec = /^decimal\((\d+),(\d+)\)$/.exec(f.type);
      if (dec) return { name: f.name, dataType: "decimal", precision: Number(dec[1]), scale: Number(dec[2]) };
      switch (f.type) {
        case "long":
        case "integer":
          return { name: f.name, dataType: "int64" };
        case "double":
          return { name: f.name, dataType: "double" };
        case "boolean":
          return { name: f.name, dataType: "boolean" };
        case "timestamp":
          return { name: f.name, dataType: "dateTime" };
        default:
          return { name: f.name, dataType: "string" };
      }
    });
}


/** Columns that get min/max statistics: not strings beyond Id (a truncated max would need care). */
export function statsColumns(columns: LakeColumn[]): LakeColumn[] {
  return columns.filter((c) => c.name === "Id" || (c.dataType !== "string" && c.dataType !== "guid" && c.dataType !== "boolean"));
}

/**
 * The type `cur` becomes when the source now says `next`, or null when it stays. Only changes no
 * value can be lost in: int64 → decimal/double, decimal scale up (precision stays 38), anything
 * → string. A narrower or unrelated type at the source keeps the table's type.
 */
export function widenedType(cur: LakeColumn, next: LakeColumn): LakeColumn | null {
  if (deltaType(cur) === deltaType(next) || cur.dataType === "string" || cur.dataType === "guid") return null;
  if (next.dataType === "string") return { name: cur.name, dataType: "string" };
  if (cur.dataType === "int64" && next.dataType === "double") return { name: cur.name, dataType: "double" };
  if (cur.dataType === "int64" && next.dataType === "decimal") return { name: cur.name, dataType: "decimal", precision: 38, scale: Math.min(next.scale ?? 10, 19) };
  if (cur.dataType === "decimal" && next.dataType === "decimal" && (next.scale ?? 10) > (cur.scale ?? 10)) return { name: cur.name, dataType: "decimal", precision: 38, scale: next.scale };
  return null;
}
