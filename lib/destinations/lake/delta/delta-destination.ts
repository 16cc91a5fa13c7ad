// The data lake as Delta tables (lake setting format = "delta"): the same Destination contract
// as the CSV lake, with `deltalake/<table>_partitioned/` Delta tables instead of CSV + model.json.
// Pages are staged (durable) as they arrive and committed once per sync cycle in maintain(); an
// operation that must see the rows (existingIds, sweep, backfill, reconciliation scans) commits
// what is staged first. Validation, the target marker and OptionsetMetadata/*.csv are the CSV
// lake's (one implementation).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TableSchema } from "../../../dataverse/types";
import { RecordValueError } from "../../row-values";
import type {
  Destination, DestinationOptions, EnsureTableResult, IdScanOptions, IdVersion, LakeSettings, SourceRecord, TableProgress, TargetMarker,
  TargetStats, TargetTableSpec, UpsertResult, ValidationCheck,
} from "../../types";
import { beginSweep, markSeen, seenPath } from "../lake-backfill";
import { LakeDestination } from "../lake-destination";
import { guidOrderKey, idVersionPages } from "../lake-scan";
import { lakeSettings } from "../settings";
import { LakeStorageError, type LakeStorage } from "../storage";
import { DeltaConflictError, DeltaTable } from "./delta-table";
import { Duck } from "./duck";
import { CHECKPOINT_EVERY } from "./log";
import { quoteStr } from "./schema";

/**
 * Rows per background conversion: ~25 pages of 2,000, ~25 MB of JSON — DuckDB holds one run's
 * rows for the latest-per-Id window, so this bounds its memory as well as the commit's remainder.
 */
export const CONVERT_ROWS = 50_000;

export class DeltaDestination implements Destination {
  readonly kind = "datalake" as const;
  readonly settings: LakeSettings;
  private readonly csv: LakeDestination;
  private readonly duck = new Duck();
  private readonly tables = new Map<string, Promise<DeltaTable>>();
  private queue = new Map<string, Promise<unknown>>();
  /** A dropped table's background conversion still running: the next open of that table waits for it. */
  private retiring = new Map<string, Promise<void>>();

  constructor(
    readonly storage: LakeStorage & { probe(): Promise<void> },
    readonly options: DestinationOptions,
    probe?: () => Promise<void>,
    /** Tests: a fixed clock for the upkeep schedule. */
    private readonly clock: () => number = Date.now,
    /** Staged rows converted to Parquet in the background once a run reaches this (staged-parquet.ts); tests set it low. */
    private readonly convertRows = CONVERT_ROWS,
  ) {
    this.settings = lakeSettings(options.lake);
    this.csv = new LakeDestination(storage, options, probe);
  }

  validate(): Promise<ValidationCheck[]> {
    return this.csv.validate();
  }

  async prepare(): Promise<void> {}

  /** The table, its log read once per run (staged changes of an earlier run found again). */
  table(name: string): Promise<DeltaTable> {
    let t = this.tables.get(name);
    if (!t) {
      const table = new DeltaTable(this.storage, name, this.duck, {
        granularity: this.settings.granularity,
        targetFileBytes: 128 * 1024 * 1024,
        retentionHours: this.settings.deltaRetentionHours,
        checkpointEvery: CHECKPOINT_EVERY,
        convertRows: this.convertRows,
      });
      t = (this.retiring.get(name) ?? Promise.resolve()).then(() => table.open());
      this.tables.set(name, t);
      t.catch(() => this.tables.delete(name));
    }
    return t;
  }

  /** One operation at a time per table (the engine may write several tables at once). */
  private serial<T>(name: string, fn: (t: DeltaTable) => Promise<T>): Promise<T> {
    const prev = this.queue.get(name) ?? Promise.resolve();
    const run = prev.then(() => this.guard(name, async () => fn(await this.table(name))));
    this.queue.set(name, run.catch(() => undefined));
    return run;
  }

  private async guard<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // The in-memory snapshot may be behind the log: read it again on next use.
      const t = this.tables.get(name);
      this.tables.delete(name);
      if (t) {
        const retired = t.then(async (x) => {
          await x.settled();
          x.close();
        }).catch(() => undefined);
        this.retiring.set(name, retired);
      }
      if (err instanceof RecordValueError || err instanceof LakeStorageError || err instanceof DeltaConflictError) throw err;
      const e = err as Error;
      if (e?.name === "LakeStorageError") throw err;
      throw Object.assign(new LakeStorageError(`${this.storage.display} (Delta ${name}): ${e?.message ?? String(err)}`, "Other"), { cause: err, transient: true });
    }
  }

  ensureTable(spec: TargetTableSpec): Promise<EnsureTableResult> {
    return this.serial(spec.tableName, async (t) => {
      const r = await t.ensure(spec);
      return { created: r.created, addedColumns: r.added };
    });
  }

  writeTableMetadata(schema: TableSchema, spec: TargetTableSpec): Promise<void> {
    return this.csv.writeTableMetadata(schema, spec);
  }

  upsert(spec: TargetTableSpec, records: SourceRecord[]): Promise<UpsertResult> {
    if (!records.length) return Promise.resolve({ written: 0, widened: [] });
    return this.serial(spec.tableName, async (t) => ({ written: await t.stageUpserts(spec, records), widened: [] }));
  }

  delete(spec: TargetTableSpec, ids: string[], _deleteLog?: boolean): Promise<number> {
    return this.serial(spec.tableName, (t) => t.stageDeletes(ids));
  }

  readMarker(profileId: string): Promise<TargetMarker | null> {
    return this.csv.readMarker(profileId);
  }

  writeMarker(marker: TargetMarker): Promise<void> {
    return this.csv.writeMarker(marker);
  }

  tableExists(tableName: string): Promise<boolean> {
    return this.serial(tableName, async (t) => t.exists);
  }

  hasRows(spec: TargetTableSpec): Promise<boolean> {
    return this.serial(spec.tableName, async (t) => t.pendingRows > 0 || [...t.snapshot.files.values()].some((a) => a.size > 0));
  }

  /** Commits what is staged, then runs `fn` with a view `v` of the table's rows (IsDelete ones included). */
  private withRows<T>(name: string, fn: (q: (sql: string) => Promise<Record<string, unknown>[]>, t: DeltaTable) => Promise<T>): Promise<T> {
    return this.serial(name, async (t) => {
      if (!t.exists) return fn(async () => [], t);
      await t.commit();
      const db = await t.connection();
      await t.view(db, "v");
      return fn((sql) => db.all(sql), t);
    });
  }

  existingIds(spec: TargetTableSpec, ids: string[]): Promise<Set<string>> {
    const wanted = [...new Set(ids.map((i) => i.toLowerCase()))];
    if (!wanted.length) return Promise.resolve(new Set());
    return this.withRows(spec.tableName, async (q, t) => {
      if (!t.exists) return new Set<string>();
      const rows = await q(`SELECT Id FROM v WHERE NOT coalesce(IsDelete, false) AND Id IN (${wanted.map(quoteStr).join(", ")})`);
      return new Set(rows.map((r) => String(r.Id)));
    });
  }

  beginSweep(spec: TargetTableSpec): Promise<void> {
    return this.guard(spec.tableName, () => beginSweep(this.storage, spec.tableName));
  }

  markSeen(spec: TargetTableSpec, ids: string[]): Promise<void> {
    return this.guard(spec.tableName, () => markSeen(this.storage, spec.tableName, ids));
  }

  /** Deletes (IsDelete rows) every live Id the re-export did not see; one Delta commit. */
  sweep(spec: TargetTableSpec, _deleteLog?: boolean): Promise<number> {
    return this.withRows(spec.tableName, async (q, t) => {
      if (!t.exists) return 0;
      const raw = (await this.storage.read(seenPath(spec.tableName)))?.toString("utf8") ?? "";
      const seen = new Set(raw.split("\n").map((l) => l.trim()).filter(Boolean));
      const live = await q(`SELECT Id FROM v WHERE NOT coalesce(IsDelete, false)`);
      const gone = live.map((r) => String(r.Id)).filter((id) => !seen.has(id));
      if (!gone.length) return 0;
      await t.stageDeletes(gone);
      await t.commit();
      return gone.length;
    });
  }

  endSweep(spec: TargetTableSpec): Promise<void> {
    return this.guard(spec.tableName, () => this.storage.delete(seenPath(spec.tableName)));
  }

  updateColumns(spec: TargetTableSpec, columns: string[], records: SourceRecord[]): Promise<number> {
    if (!records.length || !columns.length) return Promise.resolve(0);
    return this.serial(spec.tableName, async (t) => {
      await t.commit();
      return t.patchColumns(spec, columns, records);
    });
  }

  /** (Id, versionnumber) of live rows in SQL Server's GUID order, sorted by DuckDB into a file read a page at a time. */
  async *scanIdVersions(spec: TargetTableSpec, opts: IdScanOptions = {}): AsyncIterable<IdVersion[]> {
    const pageSize = Math.max(1, opts.pageSize ?? 5000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-delta-ids-"));
    try {
      const out = path.join(dir, "ids.csv");
      const any = await this.withRows(spec.tableName, async (q, t) => {
        if (!t.exists) return false;
        await q(`COPY (SELECT lower("Id") AS id, CAST("versionnumber" AS VARCHAR) AS v FROM v WHERE NOT coalesce(IsDelete, false) ORDER BY ${guidOrderKey("Id")}) TO ${quoteStr(out)} (HEADER false, DELIMITER ',')`);
        return true;
      });
      if (!any) return;
      yield* idVersionPages(out, pageSize, opts.signal);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * End of a cycle: each table's staged changes become one Delta commit; compaction and vacuum
   * when due (settings deltaCompactMinutes / deltaVacuumMinutes, counted from the last one).
   */
  async maintain(progress: TableProgress[] = []): Promise<TargetStats> {
    const now = this.clock();
    const names = new Set([...progress.map((p) => p.spec.tableName), ...this.tables.keys()]);
    let version = -1;
    let files = 0;
    let lastCompactionAt: number | null = null;
    let filesWritten = 0;
    let bytesWritten = 0;
    for (const name of names) {
      await this.serial(name, async (t) => {
        if (!t.exists) return;
        await t.commit();
        const created = t.snapshot.metaData?.createdTime ?? now;
        if (now - (t.lastCompactionAt ?? created) >= this.settings.deltaCompactMinutes * 60_000) await t.compact();
        if (now - (t.lastVacuumAt ?? created) >= this.settings.deltaVacuumMinutes * 60_000) await t.vacuum(now);
        version = Math.max(version, t.snapshot.version);
        files += t.snapshot.files.size;
        const c = t.lastCompactionAt;
        if (c !== null && (lastCompactionAt === null || c > lastCompactionAt)) lastCompactionAt = c;
        filesWritten += t.filesWritten;
        bytesWritten += t.bytesWritten;
      });
    }
    return {
      lastSnapshotAt: null, snapshotCount: 0, filesWritten, bytesWritten,
      delta: { version, files, lastCompactionAt: lastCompactionAt === null ? null : new Date(lastCompactionAt) },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.queue.values()]);
    for (const t of this.tables.values()) {
      const table = await t.catch(() => null);
      await table?.settled();
      table?.close();
    }
    await Promise.all(this.retiring.values());
    this.tables.clear();
    await this.duck.close();
    await this.csv.close();
  }
}
