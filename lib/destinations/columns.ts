// The Data Export Service mapping from a Dataverse table to a target table. Every dialect
// uses this one mapping; only the physical type names differ (see sql-types.ts).
import type { AttributeInfo, TableSchema } from "../dataverse/types";
import type { ColumnSpec, TargetTableSpec } from "./types";

/** Columns DES put on every table, in this order. */
export const SYSTEM_COLUMNS = {
  id: "Id",
  createdOn: "SinkCreatedOn",
  modifiedOn: "SinkModifiedOn",
  version: "versionnumber",
} as const;

export const ENTITY_TYPE_SUFFIX = "_entitytype";
/** Widest nvarchar SQL Server keeps inline; beyond it a string column becomes (n)varchar(max)/text. */
export const MAX_BOUNDED_STRING = 4000;
const DEFAULT_STRING_LENGTH = 100;
const DEFAULT_DECIMAL_SCALE = 10;

/** `<prefix>_<logicalname>`, or the bare logical name without a prefix (DES naming). */
export function tableNameFor(logicalName: string, prefix: string): string {
  return prefix ? `${prefix}_${logicalName}` : logicalName;
}

/**
 * Columns for one attribute; [] when the attribute is not exported (Virtual, not readable).
 * Date-only attributes stay `datetime` (midnight UTC) as DES did, so queries written against a
 * DES database keep working.
 */
export function columnsForAttribute(attr: AttributeInfo): ColumnSpec[] {
  if (!attr.isValidForRead || attr.kind === "Virtual") return [];
  const name = attr.logicalName;
  const base = { name, nullable: true, attribute: name };
  switch (attr.kind) {
    case "Lookup":
    case "Owner":
    case "Customer":
      return [
        { ...base, type: "guid", lookupPart: "id" },
        {
          ...base,
          name: `${name}${ENTITY_TYPE_SUFFIX}`,
          type: "string",
          maxLength: 128,
          lookupPart: "entityType",
        },
      ];
    case "String": {
      const len = attr.maxLength && attr.maxLength > 0 ? attr.maxLength : DEFAULT_STRING_LENGTH;
      return len > MAX_BOUNDED_STRING ? [{ ...base, type: "text" }] : [{ ...base, type: "string", maxLength: len }];
    }
    case "Memo":
    case "MultiSelectPicklist":
    case "Other":
      return [{ ...base, type: "text" }];
    case "Integer":
    case "Picklist":
    case "State":
    case "Status":
      return [{ ...base, type: "int" }];
    case "BigInt":
      return [{ ...base, type: "bigint" }];
    case "Boolean":
      return [{ ...base, type: "bool" }];
    case "DateTime":
      return [{ ...base, type: "datetime" }];
    case "Decimal":
      return [{ ...base, type: "decimal", precision: attr.precision ?? DEFAULT_DECIMAL_SCALE }];
    case "Double":
      return [{ ...base, type: "float" }];
    case "Money":
      return [{ ...base, type: "money", precision: 4 }];
    case "Uniqueidentifier":
      return [{ ...base, type: "guid" }];
    case "EntityName":
      return [{ ...base, type: "string", maxLength: 128 }];
    default:
      return [{ ...base, type: "text" }];
  }
}

/** The DES target table for a Dataverse table or an intersect (N:N) table. */
export function tableSpecFor(schema: TableSchema, prefix: string): TargetTableSpec {
  const columns: ColumnSpec[] = [
    { name: SYSTEM_COLUMNS.id, type: "guid", nullable: false },
    { name: SYSTEM_COLUMNS.createdOn, type: "datetime", nullable: true },
    { name: SYSTEM_COLUMNS.modifiedOn, type: "datetime", nullable: true },
    { name: SYSTEM_COLUMNS.version, type: "bigint", nullable: true },
  ];
  // SQL Server and SQLite compare identifiers case-insensitively, so a duplicate is
  // judged the same way everywhere.
  const seen = new Set(columns.map((c) => c.name.toLowerCase()));
  const primaryId = schema.table.primaryIdAttribute?.toLowerCase();
  for (const attr of schema.attributes) {
    if (attr.isPrimaryId || attr.logicalName.toLowerCase() === primaryId) continue;
    for (const col of columnsForAttribute(attr)) {
      const key = col.name.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      columns.push(col);
    }
  }
  return {
    entity: schema.table.logicalName,
    tableName: tableNameFor(schema.table.logicalName, prefix),
    kind: schema.table.isIntersect ? "relationship" : "entity",
    columns,
  };
}
