// The contract between the sync engine and a target. One implementation per kind (sqlite.ts,
// postgres.ts, mssql.ts, lake/lake-destination.ts); the engine never writes SQL or files itself.
// "Table" means the target's unit for one Dataverse table: a SQL table, or a lake folder with its
// model.json entity; "label rows" are the SQL label tables or the lake's OptionsetMetadata files.
import type { TableSchema, SourceRecord, ManyToManyInfo, IdVersion } from "../dataverse/types";

export type SqlDestinationKind = "sqlite" | "postgres" | "mssql";
export type DestinationKind = SqlDestinationKind | "datalake";

export interface DestinationOptions {
  /** Target schema, e.g. "dbo" (SQLite and the data lake ignore it). */
  schemaName: string;
  /** Table prefix without the underscore; "" for none. */
  prefix: string;
  /** Data lake targets only: how the lake is laid out and maintained (defaults in lake/settings.ts). */
  lake?: Partial<LakeSettings>;
  /** Data lake targets without a key or SAS: the organization's app registration. */
  credentials?: { tenantId: string; clientId: string; clientSecret: string } | null;
}

/** Per-profile options of a data lake target. */
export interface LakeSettings {
  /** appendOnly: every change appended (deletes as IsDelete rows); inPlace: partition files rewritten. */
  mode: "appendOnly" | "inPlace";
  /** Partition files by the record's createdon year (Synapse Link's default) or month. */
  granularity: "Year" | "Month";
  /** Minutes between snapshots of a table that changed (0: after every sync cycle). */
  snapshotMinutes: number;
  /** Snapshots kept per table (a snapshot model.json still names is never deleted). */
  snapshotKeep: number;
  /** Write yyyy-MM-ddTHH.mm.ssZ incremental update folders (not implemented yet). */
  incrementalFolders: boolean;
  /** csv: Synapse Link's CSV + model.json; delta: Delta tables at deltalake/<table>_partitioned/ (lake/delta/). */
  format: "csv" | "delta";
  /** Delta: minutes between compactions of small files (0: every cycle). */
  deltaCompactMinutes: number;
  /** Delta: minutes between vacuums (0: every cycle). */
  deltaVacuumMinutes: number;
  /** Delta: hours removed files are kept (time travel reaches this far back); vacuum deletes older ones. */
  deltaRetentionHours: number;
}

/** What the runner tells a target about each table after a sync cycle (see `maintain`). */
export interface TableProgress {
  spec: TargetTableSpec;
  initialSyncState: string;
}

/** Figures a target reports after maintenance, shown on the profile page. */
export interface TargetStats {
  lastSnapshotAt: Date | null;
  snapshotCount: number;
  filesWritten: number;
  bytesWritten: number;
  /** Delta format: newest table version (highest over the tables), live data files, last compaction. */
  delta?: { version: number; files: number; lastCompactionAt: Date | null };
}

export type ColumnType =
  | "guid" | "string" | "text" | "int" | "bigint" | "bool" | "datetime" | "date"
  | "decimal" | "float" | "money";

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** "string": the width (nvarchar(n) / varchar(n)); widened when a longer value arrives. */
  maxLength?: number;
  /** "decimal": scale. */
  precision?: number;
  nullable: boolean;
  /**
   * Optional (added by columns.ts): the source attribute this column is read from, and for a
   * lookup which half of the LookupValue. Without it the row builder falls back to name rules.
   */
  attribute?: string;
  lookupPart?: "id" | "entityType";
}

/** A target table derived from a Dataverse table (see columns.ts for the mapping). */
export interface TargetTableSpec {
  /** Source logical name, e.g. "account" or an intersect entity "accountleads". */
  entity: string;
  /** Physical table name with the prefix applied: "<prefix>_account" or "account". */
  tableName: string;
  kind: "entity" | "relationship";
  columns: ColumnSpec[];
}

export interface EnsureTableResult {
  created: boolean;
  addedColumns: string[];
}

export interface UpsertResult {
  /** Rows written or updated. Rows skipped by the version guard are not counted. */
  written: number;
  /** Columns widened to fit this batch. */
  widened: { column: string; from: number; to: number }[];
}

export interface ValidationCheck {
  /** Stable id, e.g. "connect", "permission:CREATE TABLE". */
  id: string;
  label: string;
  ok: boolean;
  /** When not ok: what is wrong, in plain words. */
  message?: string;
  /** When not ok: exactly how to fix it (e.g. the GRANT statement to run). */
  fix?: string;
}

export interface DeleteLogEntry {
  entityName: string;
  recordId: string;
  versionNumber?: string | null;
}

/**
 * Which export a target holds: written at a profile's first export (and again when the target
 * had to be exported from the start). A target whose marker is missing or names another
 * generation is not the one the saved delta links describe.
 */
export interface TargetMarker {
  profileId: string;
  generation: string;
}

export interface IdScanOptions {
  /** Rows per page (default 5000). */
  pageSize?: number;
  signal?: AbortSignal;
}

export interface Destination {
  readonly kind: DestinationKind;
  readonly options: DestinationOptions;
  /** Connect and check every prerequisite; never throws for a failed check. */
  validate(): Promise<ValidationCheck[]>;
  /** Create the schema, the label tables and (when asked) DeleteLog. Idempotent. */
  prepare(opts: { deleteLog: boolean }): Promise<void>;
  /** Create the table or add missing columns. Never drops a table or a column. */
  ensureTable(spec: TargetTableSpec): Promise<EnsureTableResult>;
  /** Replace the label rows (OptionSetMetadata, StateMetadata, …) for one table. */
  writeTableMetadata(schema: TableSchema, spec: TargetTableSpec): Promise<void>;
  /**
   * Upsert records in one transaction: all or nothing. A row applies only when its
   * version is not older than the stored one. Throws when the batch cannot be written.
   */
  upsert(spec: TargetTableSpec, records: SourceRecord[]): Promise<UpsertResult>;
  /** Delete rows by Id in one transaction, appending to DeleteLog when `deleteLog`. */
  delete(spec: TargetTableSpec, ids: string[], deleteLog: boolean): Promise<number>;
  /** The marker of `profileId`, or null (no marker table, or no row for that profile). */
  readMarker(profileId: string): Promise<TargetMarker | null>;
  /** Replaces the marker of `marker.profileId` (creating its home when missing). */
  writeMarker(marker: TargetMarker): Promise<void>;
  /** Whether the table (a spec's `tableName`) exists in the target. */
  tableExists(tableName: string): Promise<boolean>;
  /** Whether the table holds at least one row (false when it does not exist). */
  hasRows(spec: TargetTableSpec): Promise<boolean>;
  /**
   * Which of `ids` have a row in the table (lower-case ids; empty when the table does not exist).
   * Used rarely (to log a refused record as New or Update), so it may be a plain lookup.
   */
  existingIds(spec: TargetTableSpec, ids: string[]): Promise<Set<string>>;
  /**
   * Sweep after a re-export, with memory bounded by a page: the ids a re-export reads are kept
   * in the target (`markSeen`, idempotent), and `sweep` deletes — logging to DeleteLog when
   * asked — every row of the table that was not seen. `beginSweep` forgets earlier seen ids of
   * the table, `endSweep` drops them once the sweep is checkpointed.
   */
  beginSweep(spec: TargetTableSpec): Promise<void>;
  markSeen(spec: TargetTableSpec, ids: string[]): Promise<void>;
  sweep(spec: TargetTableSpec, deleteLog: boolean): Promise<number>;
  endSweep(spec: TargetTableSpec): Promise<void>;
  /**
   * Backfill of added columns: sets only `columns` (names in spec.columns) of rows that exist,
   * when the record's version is not older than the stored one; other columns and rows are left
   * alone. Returns rows updated.
   */
  updateColumns(spec: TargetTableSpec, columns: string[], records: SourceRecord[]): Promise<number>;
  /**
   * Every row's (Id, versionnumber), in pages, in SQL Server's uniqueidentifier order
   * (lib/dataverse/sql-guid-order.ts) — the order Dataverse returns `$orderby=<primary id>` in, so
   * reconciliation can sort-merge the two without holding either side in memory. Pages are read
   * one at a time (keyset), never as one long query; no page holds more than `pageSize` rows.
   * A missing table yields nothing.
   */
  scanIdVersions(spec: TargetTableSpec, opts?: IdScanOptions): AsyncIterable<IdVersion[]>;
  /**
   * Optional: called by the runner after every sync cycle, outside any table's write. A data lake
   * publishes model.json (initial sync states) and takes snapshots here. SQL targets omit it.
   */
  maintain?(tables: TableProgress[]): Promise<TargetStats | void>;
  /**
   * Optional deferred durability (the data lake: a page's rows are staged — a block per
   * partition file on Azure, an unsynced append in a folder — and made durable a few MB at a
   * time, not one commit per page). After `holdCommits(spec)`, upsert and delete of that table
   * may return before their rows are durable; `commitDue(spec)` says when the target wants a
   * commit; `commit(spec)` makes everything written so far durable. The engine saves a
   * checkpoint only after `commit`. `releaseCommits(spec)` ends holding; what was not committed
   * is dropped (the next write starts from the last commit). Without holding, every call is
   * durable when it returns (resync, repair and backfill rely on that).
   */
  holdCommits?(spec: TargetTableSpec): void;
  commitDue?(spec: TargetTableSpec): boolean;
  commit?(spec: TargetTableSpec): Promise<void>;
  releaseCommits?(spec: TargetTableSpec): void;
  close(): Promise<void>;
}

export type { TableSchema, SourceRecord, ManyToManyInfo, IdVersion };
