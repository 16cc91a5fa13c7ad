// Names shared by the parts of the Delta writer: where a table lives in the lake, the txn appIds
// that record what a commit consumed or did, and the writer's options.
export const DELTA_ROOT = "deltalake";
export const tableDirOf = (table: string) => `${DELTA_ROOT}/${table}_partitioned`;
/** txn appId: the last staged sequence a commit applied (a crash after the commit never applies a change twice). */
export const STAGING_APP = "dataverse-export-staging";
/** txn appIds whose version is the time of the last compaction / vacuum (the upkeep schedule). */
export const COMPACTION_APP = "dataverse-export-compaction";
export const VACUUM_APP = "dataverse-export-vacuum";
/** Staged change files: a `_` folder is never part of a Delta table. */
export const STAGING = "_staging";
export const ENGINE = "dataverse-export";

export interface DeltaTableOptions {
  granularity: "Year" | "Month";
  /** Files smaller than this are merged by compaction (default 128 MiB). */
  targetFileBytes: number;
  /** Removed files (and orphans) older than this are deleted by vacuum; time travel reaches this far. */
  retentionHours: number;
  checkpointEvery: number;
  /** Staged upsert rows converted to Parquet in the background once a run of them reaches this (0: never). */
  convertRows?: number;
  /** Log files older than this (and covered by a checkpoint) are removed after a checkpoint; default 30 days, never below retentionHours. */
  logRetentionHours?: number;
}
