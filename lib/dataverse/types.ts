// Plain types the Dataverse client returns. The sync engine and the destinations
// depend only on these, never on the Web API's JSON shapes.

/** Dataverse AttributeType values we handle (AttributeTypeName.Value without the "Type" suffix). */
export type AttributeKind =
  | "String" | "Memo" | "Integer" | "BigInt" | "Decimal" | "Double" | "Money" | "Boolean"
  | "DateTime" | "Picklist" | "State" | "Status" | "Lookup" | "Owner" | "Customer"
  | "Uniqueidentifier" | "MultiSelectPicklist" | "EntityName" | "Virtual" | "Other";

export interface OptionLabel {
  value: number;
  label: string;
  /** StatusMetadata only: the state this status belongs to. */
  state?: number;
}

export interface OptionSetInfo {
  name: string;
  isGlobal: boolean;
  options: OptionLabel[];
}

export interface AttributeInfo {
  logicalName: string;
  kind: AttributeKind;
  /** The raw AttributeTypeName.Value, e.g. "StringType", for unknown kinds. */
  typeName: string;
  displayName?: string;
  isPrimaryId: boolean;
  /** String/Memo: MaxLength. */
  maxLength?: number;
  /** Decimal/Double/Money: Precision. */
  precision?: number;
  /** DateTime: "DateOnly" | "DateAndTime". */
  dateFormat?: "DateOnly" | "DateAndTime";
  /** Lookup/Owner/Customer: tables the lookup can point at. */
  targets?: string[];
  /** Picklist/State/Status/MultiSelectPicklist. */
  optionSet?: OptionSetInfo;
  /** False for Virtual and other attributes that are not readable as columns. */
  isValidForRead: boolean;
}

export interface TableInfo {
  logicalName: string;
  schemaName: string;
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute?: string;
  displayName: string;
  changeTrackingEnabled: boolean;
  isIntersect: boolean;
  objectTypeCode?: number;
}

export interface TableSchema {
  table: TableInfo;
  attributes: AttributeInfo[];
}

export interface ManyToManyInfo {
  schemaName: string;
  entity1LogicalName: string;
  entity2LogicalName: string;
  intersectEntityName: string;
  entity1IntersectAttribute: string;
  entity2IntersectAttribute: string;
}

export interface WhoAmI {
  userId: string;
  businessUnitId: string;
  organizationId: string;
}

export interface LookupValue {
  id: string;
  /** Logical name of the referenced table (lookuplogicalname annotation). */
  entityType: string | null;
}

export type FieldValue = string | number | boolean | null | LookupValue;

/** One record as read from Dataverse, keyed by attribute logical name. */
export interface SourceRecord {
  id: string;
  /** Row version from @odata.etag (W/"<version>"), as a decimal string. */
  version: string;
  values: Record<string, FieldValue>;
}

/** A record's id (lower case) and row version (decimal text; null when unknown): what reconciliation compares. */
export interface IdVersion {
  id: string;
  version: string | null;
}

export interface DeletedRecord {
  id: string;
}

/** One page of a change-tracking read. Exactly one of nextLink / deltaLink is set on the last page. */
export interface ChangePage {
  upserts: SourceRecord[];
  deletes: DeletedRecord[];
  /** Present while more pages follow (an initial export can resume from it). */
  nextLink?: string;
  /** Present on the last page: save it to read the next changes. */
  deltaLink?: string;
}

/**
 * What the sync engine reads through. `DataverseClient` implements it against the Web API;
 * tests may use fakes.
 */
export interface ChangeSource {
  whoAmI(): Promise<WhoAmI>;
  listTables(opts?: { changeTrackingOnly?: boolean }): Promise<TableInfo[]>;
  /** Throws NotFoundError (lib/dataverse/errors) for an unknown table. */
  getTableSchema(logicalName: string): Promise<TableSchema>;
  /** N:N relationships; with names, only those touching the given tables. */
  listManyToMany(logicalNames?: string[]): Promise<ManyToManyInfo[]>;
  /**
   * Change-tracking read. Without `from`: initial export. With `from` a nextLink saved during an
   * initial export, or a deltaLink from a finished read: resumes there. Pages stream; the last
   * page carries `deltaLink`. Throws ChangeTrackingNotEnabledError / DeltaTokenExpiredError.
   */
  readChanges(
    table: TableInfo,
    opts: { select: string[]; from?: string; pageSize?: number; signal?: AbortSignal },
  ): AsyncIterable<ChangePage>;
  /** One record by id (for re-syncing failed records); null when it no longer exists. */
  fetchRecord(table: TableInfo, id: string, select: string[]): Promise<SourceRecord | null>;
  /**
   * Records by id, many per request (re-sync of failed records, reconciliation repair). Returns
   * those that exist, in no particular order. Optional: without it the engine calls fetchRecord
   * once per id.
   */
  fetchRecords?(table: TableInfo, ids: string[], select: string[], opts?: { signal?: AbortSignal }): Promise<SourceRecord[]>;
  /**
   * Every record's id and version, in pages, in SQL Server's uniqueidentifier order
   * (lib/dataverse/sql-guid-order.ts), without change tracking. Needed by reconciliation only.
   */
  readIdVersions?(table: TableInfo, opts?: { pageSize?: number; signal?: AbortSignal }): AsyncIterable<IdVersion[]>;
}
