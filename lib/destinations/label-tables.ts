// The unprefixed metadata tables DES / Synapse Link wrote beside the data (option-set labels,
// state/status labels, lookup targets, attribute types) and the DeleteLog, plus the rows one
// Dataverse table contributes to them.
import type { AttributeInfo, AttributeKind, TableSchema } from "../dataverse/types";
import { columnsForAttribute } from "./columns";
import type { ColumnSpec, TargetTableSpec } from "./types";

export interface FixedTable {
  name: string;
  columns: ColumnSpec[];
}

const name = (n: string): ColumnSpec => ({ name: n, type: "string", maxLength: 128, nullable: true });
const int = (n: string): ColumnSpec => ({ name: n, type: "int", nullable: true });
const label: ColumnSpec[] = [
  { name: "IsUserLocalizedLabel", type: "bool", nullable: true },
  int("LocalizedLabelLanguageCode"),
  { name: "LocalizedLabel", type: "text", nullable: true },
];

export const LABEL_TABLES: FixedTable[] = [
  { name: "OptionSetMetadata", columns: [name("EntityName"), name("OptionSetName"), int("Option"), ...label] },
  {
    name: "GlobalOptionSetMetadata",
    columns: [name("OptionSetName"), int("Option"), ...label, name("GlobalOptionSetName"), name("EntityName")],
  },
  { name: "StateMetadata", columns: [name("EntityName"), int("State"), ...label] },
  { name: "StatusMetadata", columns: [name("EntityName"), int("State"), int("Status"), ...label] },
  {
    name: "TargetMetadata",
    columns: [name("EntityName"), name("AttributeName"), name("ReferencedEntity"), name("ReferencedAttribute")],
  },
  {
    name: "AttributeMetadata",
    columns: [
      name("EntityName"),
      name("AttributeName"),
      name("AttributeType"),
      int("AttributeTypeCode"),
      int("Precision"),
      int("MaxLength"),
    ],
  },
];

/** DeleteLog gets an identity `Id` first (added by the dialect) so readers can page through it in order. */
export const DELETE_LOG: FixedTable = {
  name: "DeleteLog",
  columns: [
    name("EntityName"),
    { name: "RecordId", type: "guid", nullable: false },
    { name: "SinkDeleteTime", type: "datetime", nullable: false },
    { name: "VersionNumber", type: "bigint", nullable: true },
  ],
};

/** One row per profile exporting into this schema (see TargetMarker in types.ts). */
export const MARKER_TABLE: FixedTable = {
  name: "DataverseExportMarker",
  columns: [
    { name: "ProfileId", type: "string", maxLength: 64, nullable: false },
    { name: "Generation", type: "string", maxLength: 64, nullable: false },
    { name: "WrittenOn", type: "datetime", nullable: false },
  ],
};

/** Ids a running re-export has read, per target table; keyed (TableName, Id). */
export const SEEN_TABLE: FixedTable = {
  name: "DataverseExportSeen",
  columns: [
    { name: "TableName", type: "string", maxLength: 128, nullable: false },
    { name: "Id", type: "guid", nullable: false },
  ],
};

/** Dataverse AttributeTypeCode values (Microsoft.Xrm.Sdk.Metadata.AttributeTypeCode). */
const TYPE_CODES: Partial<Record<AttributeKind, number>> = {
  Boolean: 0, Customer: 1, DateTime: 2, Decimal: 3, Double: 4, Integer: 5, Lookup: 6, Memo: 7,
  Money: 8, Owner: 9, Picklist: 11, State: 12, Status: 13, String: 14, Uniqueidentifier: 15,
  Virtual: 17, BigInt: 18, EntityName: 20, MultiSelectPicklist: 17,
};

/**
 * Labels are the user's language; the client gives one label per option without its language,
 * so 1033 is written unless an option carries a `languageCode`.
 */
const DEFAULT_LANGUAGE = 1033;

export type LabelRows = Map<string, Record<string, unknown>[]>;

/** Rows for every label table (keys: LABEL_TABLES names), all for EntityName = spec.entity. */
export function labelRowsFor(schema: TableSchema, spec: TargetTableSpec): LabelRows {
  const entity = spec.entity;
  const rows: LabelRows = new Map(LABEL_TABLES.map((t) => [t.name, []]));
  const push = (table: string, row: Record<string, unknown>) => rows.get(table)!.push(row);
  const exported = (a: AttributeInfo) => columnsForAttribute(a).length > 0 || a.isPrimaryId;

  for (const attr of schema.attributes) {
    if (!exported(attr)) continue;
    push("AttributeMetadata", {
      EntityName: entity,
      AttributeName: attr.logicalName,
      AttributeType: attr.typeName || attr.kind,
      AttributeTypeCode: TYPE_CODES[attr.kind] ?? null,
      Precision: attr.precision ?? null,
      MaxLength: attr.maxLength ?? null,
    });
    for (const target of attr.targets ?? []) {
      push("TargetMetadata", {
        EntityName: entity,
        AttributeName: attr.logicalName,
        ReferencedEntity: target,
        // Dataverse names a primary key <table>id; the client does not tell us otherwise.
        ReferencedAttribute: `${target}id`,
      });
    }
    const set = attr.optionSet;
    if (!set) continue;
    for (const opt of set.options) {
      const lang = (opt as { languageCode?: number }).languageCode ?? DEFAULT_LANGUAGE;
      const common = { IsUserLocalizedLabel: true, LocalizedLabelLanguageCode: lang, LocalizedLabel: opt.label };
      if (attr.kind === "State") {
        push("StateMetadata", { EntityName: entity, State: opt.value, ...common });
      } else if (attr.kind === "Status") {
        push("StatusMetadata", { EntityName: entity, State: opt.state ?? null, Status: opt.value, ...common });
      } else if (set.isGlobal) {
        push("GlobalOptionSetMetadata", {
          OptionSetName: attr.logicalName,
          Option: opt.value,
          ...common,
          GlobalOptionSetName: set.name,
          EntityName: entity,
        });
      } else {
        push("OptionSetMetadata", { EntityName: entity, OptionSetName: attr.logicalName, Option: opt.value, ...common });
      }
    }
  }
  return rows;
}
