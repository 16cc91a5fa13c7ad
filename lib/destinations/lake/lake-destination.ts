// The data lake as a Destination: the same contract the SQL targets implement, written as Azure
// Synapse Link lays out a container (model.json, <table>/<partition>.csv, OptionsetMetadata/,
// Microsoft.Athena.TrickleFeedService/, <table>/Snapshot/). Storage is a folder or Azure Blob.
import type { TableSchema } from "../../dataverse/types";
import { RecordValueError } from "../row-values";
import type {
  Destination, DestinationOptions, EnsureTableResult, IdScanOptions, IdVersion, LakeSettings, SourceRecord, TableProgress, TargetMarker,
  TargetStats, TargetTableSpec, UpsertResult, ValidationCheck,
} from "../types";
import { lakeColumnsFor } from "./lake-columns";
import { LakeTable } from "./lake-table";
import { writeOptionsetMetadata } from "./optionset-metadata";
import { lakeSettings } from "./settings";
import { applyRetention, entityFor, MODEL_JSON, publishModel, syncState, takeSnapshot } from "./snapshots";
import { LakeStorageError, type LakeStorage } from "./storage";
import { BOOK_FOLDER, loadBook, newBook, repairTable, saveBook } from "./table-book";
import { scanLakeIdVersions } from "./lake-scan";
import { beginSweep, markSeen, seenPath, unseenIds, updateColumns } from "./lake-backfill";
import { cdmManifest } from "./model-json";
import { folderDue, writeIncrementalFolder } from "./incremental-folders";

export class LakeDestination implements Destination {
  readonly kind = "datalake" as const;
  readonly settings: LakeSettings;
  private readonly tables = new Map<string, Promise<LakeTable>>();
  /** Tables whose writers are loaded (for the synchronous commitDue). */
  private readonly loaded = new Map<string, LakeTable>();
  /** Tables whose commits the engine holds; `lost`: uncommitted writes were dropped by an error. */
  private readonly held = new Map<string, { lost: boolean }>();
  /** Dropped writers whose background stage may still be landing, per table. */
  private readonly dropping = new Map<string, Promise<void>>();
  private metaQueue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly storage: LakeStorage & { probe(): Promise<void> },
    readonly options: DestinationOptions,
    /** validate()'s probe (default: the storage's own, with its retries). */
    private readonly probe: () => Promise<void> = () => storage.probe(),
  ) {
    this.settings = lakeSettings(options.lake);
  }

  async validate(): Promise<ValidationCheck[]> {
    const where = this.storage.display;
    try {
      await this.probe();
      return [
        { id: "connect", label: `Reach ${where}`, ok: true },
        { id: "permission:write", label: "Write and delete a probe file", ok: true },
      ];
    } catch (err) {
      const e = err instanceof LakeStorageError ? err : null;
      const message = e?.message ?? (err as Error).message;
      if (e?.code === "AuthorizationFailure") {
        return [
          { id: "connect", label: `Reach ${where}`, ok: true },
          { id: "permission:write", label: "Write and delete a probe file", ok: false, message, fix: e.fix },
        ];
      }
      return [{ id: "connect", label: `Reach ${where}`, ok: false, message, fix: e?.fix ?? "Check the target: account, container, key or SAS." }];
    }
  }

  async prepare(): Promise<void> {
    await this.guard(async () => {
      if (!(await this.storage.read(MODEL_JSON))) await this.storage.writeIfMatch(MODEL_JSON, JSON.stringify(cdmManifest([]), null, 1), null);
    });
  }

  /** The table's writer: its book loaded (or started) and the files repaired, once per run. */
  private table(spec: TargetTableSpec): Promise<LakeTable> {
    const key = spec.tableName;
    let t = this.tables.get(key);
    if (!t) {
      t = (async () => {
        // A dropped writer's background stage must land before the book is read and repaired.
        await this.dropping.get(key);
        let book = await loadBook(this.storage, key);
        if (!book) {
          book = newBook(key, this.settings.mode, this.settings.granularity, lakeColumnsFor(spec));
          await saveBook(this.storage, book);
        } else if (await repairTable(this.storage, book)) {
          await saveBook(this.storage, book);
        }
        const table = new LakeTable(this.storage, book);
        this.loaded.set(key, table);
        return table;
      })();
      this.tables.set(key, t);
      t.catch(() => this.tables.get(key) === t && this.tables.delete(key));
    }
    return t;
  }

  /** Storage failures become LakeStorageError (transient unless a credential or the container is wrong). */
  private async guard<T>(fn: () => Promise<T>, spec?: TargetTableSpec): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // A refused record fails its call before anything is buffered; anything else may leave the
      // in-memory book ahead of the stored one: reload (and repair) on next use.
      if (spec && !(err instanceof RecordValueError)) this.drop(spec.tableName);
      if (err instanceof RecordValueError || err instanceof LakeStorageError) throw err;
      const e = err as NodeJS.ErrnoException;
      if (e?.name === "LakeStorageError") throw err;
      throw Object.assign(new LakeStorageError(`${this.storage.display}: ${e?.message ?? String(err)}`, "Other"), { cause: err });
    }
  }

  /** Forgets a table's writer; writes it had not committed are lost, which a held commit reports. */
  private drop(table: string): void {
    const t = this.loaded.get(table);
    const hold = this.held.get(table);
    if (hold && t?.uncommitted) hold.lost = true;
    if (t) {
      const settled: Promise<void> = Promise.all([this.dropping.get(table), t.quiesce()]).then(() => {
        if (this.dropping.get(table) === settled) this.dropping.delete(table);
      });
      this.dropping.set(table, settled);
    }
    this.loaded.delete(table);
    this.tables.delete(table);
  }

  /** The table's writer for one call, told whether its commits are held. */
  private async writer(spec: TargetTableSpec): Promise<LakeTable> {
    const t = await this.table(spec);
    t.holding = this.held.has(spec.tableName);
    return t;
  }

  holdCommits(spec: TargetTableSpec): void {
    this.held.set(spec.tableName, { lost: false });
  }

  commitDue(spec: TargetTableSpec): boolean {
    return this.loaded.get(spec.tableName)?.commitDue() ?? false;
  }

  commit(spec: TargetTableSpec): Promise<void> {
    return this.guard(async () => {
      const hold = this.held.get(spec.tableName);
      if (hold?.lost) {
        hold.lost = false;
        // Never let the engine checkpoint pages whose rows were dropped: they must be read again.
        throw Object.assign(new LakeStorageError(`${this.storage.display}: writes to ${spec.tableName} since the last commit were lost after a storage error; they will be written again.`, "Other"), { transient: true });
      }
      const t = this.loaded.get(spec.tableName);
      if (t?.uncommitted) await t.commit();
    }, spec);
  }

  releaseCommits(spec: TargetTableSpec): void {
    this.held.delete(spec.tableName);
    // Not committed: dropped, so the next write starts from the stored book (repaired).
    if (this.loaded.get(spec.tableName)?.uncommitted) this.drop(spec.tableName);
  }

  ensureTable(spec: TargetTableSpec): Promise<EnsureTableResult> {
    return this.guard(async () => {
      const existed = (await loadBook(this.storage, spec.tableName)) !== null || this.tables.has(spec.tableName);
      const t = await this.table(spec);
      const added = await t.ensureColumns(spec);
      return { created: !existed, addedColumns: added };
    }, spec);
  }

  writeTableMetadata(schema: TableSchema, spec: TargetTableSpec): Promise<void> {
    // One file holds every table's labels: one writer at a time.
    const next = this.metaQueue.then(() => this.guard(() => writeOptionsetMetadata(this.storage, schema, spec)));
    this.metaQueue = next.catch(() => undefined);
    return next;
  }

  upsert(spec: TargetTableSpec, records: SourceRecord[]): Promise<UpsertResult> {
    if (!records.length) return Promise.resolve({ written: 0, widened: [] });
    return this.guard(async () => ({ written: await (await this.writer(spec)).upsert(spec, records), widened: [] }), spec);
  }

  // No DeleteLog in a lake: append-only keeps the delete as an IsDelete row.
  delete(spec: TargetTableSpec, ids: string[], _deleteLog?: boolean): Promise<number> {
    return this.guard(async () => (await this.writer(spec)).delete(spec, ids), spec);
  }

  // ---- target marker, existence, re-export sweep, column backfill (see Destination) ----------

  private markerPath(profileId: string): string {
    return `${BOOK_FOLDER}/dataverse-export-marker-${encodeURIComponent(profileId)}.json`;
  }

  readMarker(profileId: string): Promise<TargetMarker | null> {
    return this.guard(async () => {
      const raw = await this.storage.read(this.markerPath(profileId));
      if (!raw) return null;
      const m = JSON.parse(raw.toString("utf8")) as { generation: string };
      return { profileId, generation: String(m.generation) };
    });
  }

  writeMarker(marker: TargetMarker): Promise<void> {
    return this.guard(() => this.storage.write(this.markerPath(marker.profileId), JSON.stringify({ ...marker, writtenOn: new Date().toISOString() })));
  }

  tableExists(tableName: string): Promise<boolean> {
    return this.guard(async () => this.tables.has(tableName) || (await loadBook(this.storage, tableName)) !== null);
  }

  hasRows(spec: TargetTableSpec): Promise<boolean> {
    return this.guard(async () => {
      const book = await loadBook(this.storage, spec.tableName);
      return Boolean(book?.files.some((f) => f.bytes > 0));
    });
  }

  /** Ids whose latest row is live (a scan of the table's files: this is called rarely). */
  existingIds(spec: TargetTableSpec, ids: string[]): Promise<Set<string>> {
    const wanted = new Set(ids.map((i) => i.toLowerCase()));
    if (!wanted.size) return Promise.resolve(new Set());
    return this.guard(async () => {
      if (!(await loadBook(this.storage, spec.tableName))) return new Set<string>();
      const rows = await (await this.table(spec)).latestRows(wanted);
      return new Set([...rows].filter(([, r]) => !r.deleted).map(([id]) => id));
    }, spec);
  }

  beginSweep(spec: TargetTableSpec): Promise<void> {
    return this.guard(() => beginSweep(this.storage, spec.tableName));
  }

  markSeen(spec: TargetTableSpec, ids: string[]): Promise<void> {
    return this.guard(() => markSeen(this.storage, spec.tableName, ids));
  }

  // A lake keeps deletes as IsDelete rows (append-only) or removes the rows (in place): no DeleteLog.
  sweep(spec: TargetTableSpec, _deleteLog?: boolean): Promise<number> {
    return this.guard(async () => {
      const t = await this.writer(spec);
      const ids = await unseenIds(this.storage, t);
      let n = 0;
      for (let i = 0; i < ids.length; i += 5000) n += await t.delete(spec, ids.slice(i, i + 5000));
      return n;
    }, spec);
  }

  endSweep(spec: TargetTableSpec): Promise<void> {
    return this.guard(() => this.storage.delete(seenPath(spec.tableName)));
  }

  updateColumns(spec: TargetTableSpec, columns: string[], records: SourceRecord[]): Promise<number> {
    if (!records.length || !columns.length) return Promise.resolve(0);
    return this.guard(async () => updateColumns(await this.writer(spec), spec, columns, records), spec);
  }

  /** Latest state (deleted rows excluded), sorted by DuckDB in SQL Server's GUID order. */
  scanIdVersions(spec: TargetTableSpec, opts?: IdScanOptions): AsyncIterable<IdVersion[]> {
    return scanLakeIdVersions(this.storage, spec, opts);
  }

  /** model.json (initial sync states, newest snapshots) and snapshots that are due; retention. */
  maintain(progress: TableProgress[], now = new Date()): Promise<TargetStats> {
    const run = this.metaQueue.then(() => this.guard(() => this.maintainNow(progress, now)));
    this.metaQueue = run.catch(() => undefined);
    return run;
  }

  private async maintainNow(progress: TableProgress[], now: Date): Promise<TargetStats> {
    const entities = [];
    const books = [];
    for (const p of progress) {
      const t = await this.table(p.spec);
      const book = t.book;
      const state = syncState(p.initialSyncState, book);
      if (state === "Completed" && !book.initialSyncCompletedAt) {
        book.initialSyncCompletedAt = now.toISOString();
        await saveBook(this.storage, book);
      }
      const last = book.snapshots[book.snapshots.length - 1];
      const due = !last || now.getTime() - Date.parse(last.takenAt) >= this.settings.snapshotMinutes * 60_000;
      if (state === "Completed" && book.changedSinceSnapshot && due) await takeSnapshot(this.storage, book, now);
      entities.push(entityFor(this.storage, book, state));
      books.push(book);
    }
    await publishModel(this.storage, entities);
    // Incremental update folders are cut on the snapshot interval (the rows appended since the last).
    if (this.settings.incrementalFolders && folderDue(books, this.settings.snapshotMinutes, now)) await writeIncrementalFolder(this.storage, books, now);
    for (const b of books) await applyRetention(this.storage, b, this.settings.snapshotKeep);
    let lastSnapshotAt: Date | null = null;
    for (const b of books) {
      const s = b.snapshots[b.snapshots.length - 1];
      if (s && (!lastSnapshotAt || Date.parse(s.takenAt) > lastSnapshotAt.getTime())) lastSnapshotAt = new Date(s.takenAt);
    }
    return {
      lastSnapshotAt,
      snapshotCount: books.reduce((n, b) => n + b.snapshots.length, 0),
      filesWritten: books.reduce((n, b) => n + b.filesWritten, 0),
      bytesWritten: books.reduce((n, b) => n + b.bytesWritten, 0),
    };
  }

  async close(): Promise<void> {
    await this.metaQueue.catch(() => undefined);
    await Promise.all([...this.loaded.values()].map((t) => t.quiesce()));
    await Promise.all(this.dropping.values());
    await this.storage.close();
  }
}
