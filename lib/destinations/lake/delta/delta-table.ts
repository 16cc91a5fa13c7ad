// One Delta table (`deltalake/<table>_partitioned/`), written without Spark. This class holds the
// table's state (snapshot, staged changes, DuckDB connection); the work is in files named for it:
//  - staging.ts: upsert/delete calls write staged change files, durable before the engine
//    checkpoints the page, invisible to Delta readers;
//  - staged-parquet.ts: large runs of staged pages converted to Parquet in the background;
//  - merge.ts: commit() (end of the cycle) applies them copy-on-write as one Delta commit;
//  - log-commit.ts: the log entry is written last and put-if-absent (no visible half-commit, a
//    second writer of the same version loses cleanly), checkpoints every 10 commits;
//  - log-replay.ts: the state at a version; maintenance.ts: compaction and vacuum;
//  - parquet-files.ts: the Parquet files, written and read by DuckDB.
import crypto from "node:crypto";
import type { SourceRecord, TargetTableSpec } from "../../types";
import { lakeColumnsFor, type LakeColumn } from "../lake-columns";
import type { LakeStorage } from "../storage";
import type { Duck, DuckConn } from "./duck";
import { CsvPage } from "./csv-page";
import { DeltaFiles } from "./files";
import { cleanLog } from "./log-cleanup";
import { commitActions } from "./log-commit";
import { replaySnapshot } from "./log-replay";
import { emptySnapshot, PROTOCOL, type Action, type Snapshot } from "./log";
import { compact, vacuum } from "./maintenance";
import { commitStaged, patchColumns } from "./merge";
import { fileView, liveLocal, type LiveFile } from "./parquet-files";
import { columnsOfSchema, PARTITION_COLUMN, schemaString } from "./schema";
import { evolveSchema } from "./schema-evolution";
import { conversionsSettled, convertInBackground } from "./staged-parquet";
import { loadStaged, stageDeletes, stageUpserts, type Staged } from "./staging";
import { COMPACTION_APP, STAGING_APP, tableDirOf, VACUUM_APP, type DeltaTableOptions } from "./table-layout";

export { DeltaConflictError } from "./log-commit";
export { COMPACTION_APP, DELTA_ROOT, STAGING_APP, tableDirOf, VACUUM_APP, type DeltaTableOptions } from "./table-layout";

export class DeltaTable {
  snapshot: Snapshot = emptySnapshot();
  /** Staged change files not yet committed, in sequence order (staging.ts, merge.ts). */
  staged: Staged[] = [];
  nextSeq = 1;
  /** The bytes of the page being staged (reused: one page at a time per table). */
  readonly page = new CsvPage();
  /** The background conversion running (staged-parquet.ts), and why the last one failed. */
  converting: Promise<void> | null = null;
  conversionFailed: Error | null = null;
  /** Conversions so far: streamed (each Id once) or through the latest-per-Id window. */
  readonly conversions = { streamed: 0, windowed: 0 };
  private conn: DuckConn | null = null;
  private bgConn: DuckConn | null = null;
  readonly files: DeltaFiles;
  /** Figures since start (profile page): files and bytes written by this process. */
  filesWritten = 0;
  bytesWritten = 0;

  constructor(
    readonly storage: LakeStorage,
    readonly table: string,
    private readonly duck: Duck,
    readonly opts: DeltaTableOptions,
  ) {
    this.files = new DeltaFiles(storage, tableDirOf(table));
  }

  get exists(): boolean {
    return this.snapshot.version >= 0;
  }

  get columns(): LakeColumn[] {
    return this.snapshot.metaData ? columnsOfSchema(this.snapshot.metaData.schemaString) : [];
  }

  get pendingRows(): number {
    return this.staged.reduce((n, s) => n + s.rows, 0);
  }

  get consumedSeq(): number {
    return this.snapshot.txns.get(STAGING_APP)?.version ?? 0;
  }

  get lastCompactionAt(): number | null {
    return this.snapshot.txns.get(COMPACTION_APP)?.version ?? null;
  }

  get lastVacuumAt(): number | null {
    return this.snapshot.txns.get(VACUUM_APP)?.version ?? null;
  }

  /** This table's DuckDB connection (temporary views and tables belong to it). */
  async connection(): Promise<DuckConn> {
    if (!this.conn) this.conn = await this.duck.connect();
    return this.conn;
  }

  /** A second connection, for the background conversion (the table's own may be busy with a query). */
  async backgroundConnection(): Promise<DuckConn> {
    if (!this.bgConn) {
      this.bgConn = await this.duck.connect();
      // Its partitioned writes (a run's files) flushed to the partitions' writers every 4,096
      // rows, not 65,536: a run's rows are not all held at once (a session setting: the
      // table's own connection keeps the instance's).
      await this.bgConn.run("SET partitioned_write_flush_threshold = 4096");
    }
    return this.bgConn;
  }

  /** Resolves once no background conversion runs (then nothing changes `staged` outside the caller). */
  settled(): Promise<void> {
    return conversionsSettled(this);
  }

  close(): void {
    this.conn?.close();
    this.conn = null;
    this.bgConn?.close();
    this.bgConn = null;
  }

  /** Reads the log (newest checkpoint + later commits) and the staged changes not yet committed. */
  async open(): Promise<this> {
    this.snapshot = await this.replay();
    await loadStaged(this);
    return this;
  }

  /** The table's state at `upTo` (default: the newest version). */
  replay(upTo = Number.POSITIVE_INFINITY): Promise<Snapshot> {
    return replaySnapshot(this.files, () => this.connection(), this.table, upTo);
  }

  /** Creates the table (version 0: protocol + metaData) or evolves its schema to the spec's (schema-evolution.ts). */
  async ensure(spec: TargetTableSpec): Promise<{ created: boolean; added: string[]; widened: string[] }> {
    if (!this.exists) {
      const columns = lakeColumnsFor(spec);
      const actions: Action[] = [
        { protocol: { ...PROTOCOL } },
        {
          metaData: {
            id: crypto.randomUUID(), name: this.table, format: { provider: "parquet", options: {} },
            schemaString: schemaString(columns), partitionColumns: [PARTITION_COLUMN], configuration: {}, createdTime: Date.now(),
          },
        },
      ];
      await commitActions(this, actions, "CREATE TABLE", { partitionBy: JSON.stringify([PARTITION_COLUMN]) });
      return { created: true, added: [], widened: [] };
    }
    // Added columns (a new metaData) and widened types (the table rewritten in the same commit).
    const { added, widened } = await evolveSchema(this, spec);
    return { created: false, added, widened };
  }

  /** Stages the page's rows (latest per Id); a value that cannot be converted fails the call before anything is written. */
  async stageUpserts(spec: TargetTableSpec, records: SourceRecord[]): Promise<number> {
    const n = await stageUpserts(this, spec, records);
    convertInBackground(this);
    return n;
  }

  stageDeletes(ids: string[]): Promise<number> {
    return stageDeletes(this, ids);
  }

  /** Every staged change as one Delta commit; the new version, or null when nothing was staged. */
  commit(): Promise<number | null> {
    return commitStaged(this);
  }

  /** Backfill of added columns (one commit); returns the rows set. */
  patchColumns(spec: TargetTableSpec, names: string[], records: SourceRecord[]): Promise<number> {
    return patchColumns(this, spec, names, records);
  }

  compact(): Promise<number | null> {
    return compact(this);
  }

  vacuum(now = Date.now()): Promise<number> {
    return vacuum(this, now);
  }

  /** Removes log files the log retention no longer needs (also run after every checkpoint). */
  cleanLog(now = Date.now()): Promise<number> {
    return cleanLog(this, now);
  }

  /** Live files as local paths with their partition (the commits so far; staged changes not included). */
  liveFiles(): Promise<LiveFile[]> {
    return liveLocal(this, [...this.snapshot.files.keys()]);
  }

  /** A view `name` of the table's current rows (every row, IsDelete ones included). */
  async view(db: DuckConn, name: string): Promise<void> {
    await fileView(this, db, name, await this.liveFiles());
  }

  /** A view `name` over `files` with every current column (null where a file predates it); `temp` false: in the main schema. */
  fileView(db: DuckConn, name: string, files: Pick<LiveFile, "local" | "partition">[], temp = true): Promise<void> {
    return fileView(this, db, name, files, temp);
  }
}
