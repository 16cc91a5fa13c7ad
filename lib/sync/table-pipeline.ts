// One table: read change pages (one ahead), write each page, then save the checkpoint that
// covers it — never the other way round. A batch the target refuses is split to find the poison
// records; each is retried `retryCount` times `retryInterval` apart, then logged once and marked
// (FailedRecord + version) so it is skipped until it changes at the source.
import type { Db } from "../db";
import type { ChangePage, ChangeSource, SourceRecord, TableInfo } from "../dataverse/types";
import type { Destination, TargetTableSpec } from "../destinations/types";
import { appendFailure, type ChangeType } from "./failure-log";
import { fetchByIds } from "./fetch-by-ids";
import { prefetchOne } from "./prefetch";
import { StatBuffer } from "./stat-buffer";
import {
  clearFailedRecords, loadFailedMarkers, loadTable, markFailedRecord, recordStat, updateTable,
  type TableRow,
} from "./profile-store";
import { errorText, sleep, type RecordRetryPolicy } from "./retry-policy";
import { DeltaTokenExpiredError } from "../dataverse/errors";
import { findPoison } from "./poison-isolation";
import { HeldCheckpoint } from "./held-checkpoint";

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const silentLog: Logger = { info() {}, warn() {}, error() {} };

export interface PipelineContext {
  db: Db;
  profileId: string;
  source: ChangeSource;
  dest: Destination;
  retry: RecordRetryPolicy;
  deleteLog: boolean;
  signal: AbortSignal;
  log: Logger;
  /** Records per page asked of the source (max 5000). */
  pageSize?: number;
  /**
   * Read the next page while writing this one (default true). Off when the source already reads
   * one page ahead itself (DataverseClient does): a second buffered page only costs memory.
   */
  readAhead?: boolean;
  /** Injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What one table exports: its source table, target table and the attributes read. */
export interface TableTarget {
  /** ProfileTable.id */
  tableId: string;
  info: TableInfo;
  spec: TargetTableSpec;
  select: string[];
}

export interface RunSummary {
  upserts: number;
  deletes: number;
  failed: number;
  skipped: number;
  pages: number;
  reexported: boolean;
}

const emptySummary = (): RunSummary => ({ upserts: 0, deletes: 0, failed: 0, skipped: 0, pages: 0, reexported: false });

interface PageOutcome {
  ok: number;
  deleted: number;
  failed: number;
  skipped: number;
  lastChangeAt: Date | null;
}

export { BREAKER_MIN_PAGE, PageRefusedError } from "./poison-isolation";

export class TablePipeline {
  private markers: Map<string, string> | null = null;
  private readonly stats = new StatBuffer((w, f, at) => recordStat(this.ctx.db, this.ctx.profileId, this.entity, w, f, at));

  constructor(
    private readonly ctx: PipelineContext,
    readonly target: TableTarget,
  ) {}

  /** The name used in the failure log and FailedRecord: the source (or intersect) table. */
  get entity(): string {
    return this.target.spec.entity;
  }

  /** Continue where the table stands: an unfinished initial export, a delta, or a fresh export. */
  async sync(row?: TableRow): Promise<RunSummary> {
    const r = row ?? (await loadTable(this.ctx.db, this.target.tableId));
    if (!r) throw new Error(`profile table ${this.target.tableId} disappeared`);
    if (r.deltaLink && !r.resumeLink) {
      try {
        return await this.delta(r.deltaLink);
      } catch (err) {
        if (!(err instanceof DeltaTokenExpiredError)) throw err;
        this.ctx.log.warn(`${this.entity}: ${errorText(err)} Re-exporting this table.`);
        await updateTable(this.ctx.db, this.target.tableId, { reexportReason: "Change-tracking token expired: re-exporting" });
        const s = await this.initialExport(null);
        return { ...s, reexported: true };
      }
    }
    try {
      return await this.initialExport(r.resumeLink, r.sweepPending);
    } catch (err) {
      // A paging link that is no longer accepted: start this table's export over.
      if (!(err instanceof DeltaTokenExpiredError) || !r.resumeLink) throw err;
      this.ctx.log.warn(`${this.entity}: the saved paging link expired; restarting its initial export.`);
      return { ...(await this.initialExport(null)), reexported: true };
    }
  }

  /**
   * Initial export from the beginning (`from` null) or from a saved nextLink. Over a table that
   * already has rows (a re-export) the ids read are kept in the target and, after the last page,
   * the rows not seen — deleted at the source meanwhile — are swept (DeleteLog when on). The
   * decision is saved with the export (`sweepPending`), so a resumed re-export still sweeps and
   * a sweep never runs before every page was seen.
   */
  async initialExport(from: string | null, resumeSweep = false): Promise<RunSummary> {
    const { db, source, dest } = this.ctx;
    const id = this.target.tableId;
    let sweep = from ? resumeSweep : false;
    if (!from) {
      sweep = await dest.hasRows(this.target.spec);
      if (sweep) await dest.beginSweep(this.target.spec);
      let total: number | null = null;
      const counter = source as { countRecords?: (t: TableInfo) => Promise<number> };
      if (typeof counter.countRecords === "function") {
        total = await counter.countRecords(this.target.info).catch(() => null);
      }
      await updateTable(db, id, {
        initialSyncState: "InProgress", initialDone: 0, initialTotal: total, resumeLink: null, deltaLink: null, lastError: null, sweepPending: sweep,
      });
    } else {
      await updateTable(db, id, { initialSyncState: "InProgress" });
    }
    const summary = emptySummary();
    const pages = source.readChanges(this.target.info, {
      select: this.target.select, from: from ?? undefined, pageSize: this.ctx.pageSize, signal: this.ctx.signal,
    });
    // A target that stages writes commits every few MB; the checkpoint follows each commit.
    const held = new HeldCheckpoint(db, id, dest, this.target.spec);
    try {
      for await (const page of this.pages(pages)) {
        this.throwIfAborted();
        // Seen before written: a record that fails is still at the source and must not be swept.
        if (sweep) await dest.markSeen(this.target.spec, page.upserts.map((r) => r.id));
        const out = await this.applyPage(page, "initial");
        const done = !page.nextLink;
        if (done && sweep) {
          const swept = await dest.sweep(this.target.spec, this.ctx.deleteLog);
          if (swept) this.ctx.log.info(`${this.entity}: re-export swept ${swept} row(s) deleted at the source meanwhile`);
          out.deleted += swept;
        }
        add(summary, out, page);
        const finalState = done ? await this.finalInitialState() : undefined;
        await held.add({
          resumeLink: page.nextLink ?? null,
          deltaLink: page.deltaLink ?? null,
          initialDoneInc: page.upserts.length,
          total: out.ok + out.deleted + out.failed,
          success: out.ok + out.deleted,
          failure: out.failed,
          lastChangeAt: out.lastChangeAt ?? undefined,
          initialSyncState: finalState,
          lastExportDate: done ? new Date() : undefined,
          lastError: done ? null : undefined,
          sweepPending: done && sweep ? false : undefined,
        }, done);
        // Only once the sweep is checkpointed: a replayed last page must still find every id.
        if (done && sweep) await dest.endSweep(this.target.spec).catch(() => undefined);
        await this.stats.add(out.ok + out.deleted, out.failed);
      }
      await held.flush();
    } finally {
      held.release();
    }
    await this.stats.flush();
    return summary;
  }

  /** Reads the changes since `from` (a delta link or a delta continuation link). */
  async delta(from: string): Promise<RunSummary> {
    const { db } = this.ctx;
    const summary = emptySummary();
    const pages = this.ctx.source.readChanges(this.target.info, { select: this.target.select, from, pageSize: this.ctx.pageSize, signal: this.ctx.signal });
    let link = from;
    const held = new HeldCheckpoint(db, this.target.tableId, this.ctx.dest, this.target.spec);
    try {
      for await (const page of this.pages(pages)) {
        this.throwIfAborted();
        const out = await this.applyPage(page, "delta");
        add(summary, out, page);
        const next = page.deltaLink ?? page.nextLink ?? link;
        const changed = out.ok + out.deleted + out.failed > 0;
        if (next !== link || changed) {
          await held.add({
            deltaLink: next,
            total: out.ok + out.deleted + out.failed,
            success: out.ok + out.deleted,
            failure: out.failed,
            lastChangeAt: out.lastChangeAt ?? undefined,
            lastExportDate: changed ? new Date() : undefined,
          }, Boolean(page.deltaLink));
        }
        link = next;
        if (changed) await this.stats.add(out.ok + out.deleted, out.failed);
      }
      await held.flush();
    } finally {
      held.release();
    }
    await this.stats.flush();
    return summary;
  }

  /**
   * Re-writes records by id as the source has them now (re-sync of failed records, reconciliation
   * repair): fetched in batches, written through the normal path (poison isolation, retries,
   * failure log); ids gone at the source are deleted (DeleteLog when on). Markers of written and
   * gone records are cleared. `created`: ids the target does not have (logged as New if refused).
   */
  async resyncRecords(ids: string[], opts: { created?: ReadonlySet<string> } = {}): Promise<{ written: string[]; failed: string[]; gone: string[] }> {
    this.throwIfAborted();
    const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
    const records = await fetchByIds(this.ctx.source, this.target.info, wanted, this.target.select, this.ctx.signal);
    const found = new Set(records.map((r) => r.id.toLowerCase()));
    const gone = wanted.filter((id) => !found.has(id));
    const written: string[] = [];
    const failed: string[] = [];
    // Gone at the source: the row must go too (a missed delete), and the marker with it.
    if (gone.length) await this.ctx.dest.delete(this.target.spec, gone, this.ctx.deleteLog);
    await clearFailedRecords(this.ctx.db, this.ctx.profileId, this.entity, gone);
    // The marker cache is only kept in step when loaded: loading every marker of a table here
    // (40,000 for a big re-sync) would stall the event loop for nothing.
    for (const id of gone) this.markers?.delete(id);
    // No breaker: these records failed one by one before, most failing again is expected.
    const result = await this.writeUpserts(records, opts.created, false);
    for (const r of records) (result.failedIds.has(r.id.toLowerCase()) ? failed : written).push(r.id.toLowerCase());
    await clearFailedRecords(this.ctx.db, this.ctx.profileId, this.entity, written);
    for (const id of written) this.markers?.delete(id);
    await recordStat(this.ctx.db, this.ctx.profileId, this.entity, written.length + gone.length, failed.length);
    return { written, failed, gone };
  }

  private pages<T>(source: AsyncIterable<T>): AsyncIterable<T> {
    return this.ctx.readAhead === false ? source : prefetchOne(source);
  }

  private throwIfAborted(): void {
    if (this.ctx.signal.aborted) throw this.ctx.signal.reason ?? new DOMException("Aborted", "AbortError");
  }

  private async finalInitialState(): Promise<"Completed" | "CompletedWithFailures"> {
    const n = await this.ctx.db.failedRecord.count({ where: { profileId: this.ctx.profileId, entity: this.entity } });
    return n > 0 ? "CompletedWithFailures" : "Completed";
  }

  private async loadMarkers(): Promise<Map<string, string>> {
    if (!this.markers) {
      const raw = await loadFailedMarkers(this.ctx.db, this.ctx.profileId, this.entity);
      this.markers = new Map([...raw].map(([k, v]) => [k.toLowerCase(), v]));
    }
    return this.markers;
  }

  private async applyPage(page: ChangePage, mode: "initial" | "delta"): Promise<PageOutcome> {
    const markers = await this.loadMarkers();
    const toWrite: SourceRecord[] = [];
    const retried: string[] = [];
    let skipped = 0;
    // ISO-8601 UTC strings sort like their instants: keep the largest, parse once.
    let lastChange = "";
    for (const r of page.upserts) {
      const key = r.id.toLowerCase();
      const failedVersion = markers.get(key);
      if (failedVersion !== undefined) {
        // Not tried again until it changes at the source.
        if (failedVersion === r.version) {
          skipped++;
          continue;
        }
        retried.push(key);
      }
      toWrite.push(r);
      const m = r.values.modifiedon;
      if (typeof m === "string" && m > lastChange) lastChange = m;
    }
    const up = await this.writeUpserts(toWrite);
    const del = await this.writeDeletes(page.deletes.map((d) => d.id));
    // Records that had failed before and now went through (or were deleted) lose their marker.
    const cleared = retried.filter((id) => !up.failedIds.has(id));
    for (const d of page.deletes) if (markers.has(d.id.toLowerCase()) && !del.failedIds.has(d.id.toLowerCase())) cleared.push(d.id.toLowerCase());
    if (cleared.length) {
      await clearFailedRecords(this.ctx.db, this.ctx.profileId, this.entity, cleared);
      for (const id of cleared) markers.delete(id);
    }
    const any = toWrite.length + page.deletes.length > 0;
    return {
      ok: toWrite.length - up.failedIds.size,
      deleted: page.deletes.length - del.failedIds.size,
      failed: up.failedIds.size + del.failedIds.size,
      skipped,
      lastChangeAt: lastChange && !Number.isNaN(Date.parse(lastChange)) ? new Date(lastChange) : any ? new Date() : null,
    };
  }

  /** `missing`: ids known not to be in the target (spares the lookup when one is refused). */
  private async writeUpserts(records: SourceRecord[], missing?: ReadonlySet<string>, breaker = true): Promise<{ failedIds: Set<string> }> {
    const { dest } = this.ctx;
    const spec = this.target.spec;
    return this.isolate(
      records,
      (batch) => dest.upsert(spec, batch),
      async (failed) => {
        const types = await this.changeTypes(failed, missing);
        return failed.map((r, i) => ({ id: r.id, version: r.version, changeType: types[i] }));
      },
      breaker,
    );
  }

  /**
   * DES wording for refused records: `New` when the record is not in the target yet (or was
   * never modified after its creation), `Update` otherwise. Asked of the target only for the
   * few refused records, after their retries.
   */
  private async changeTypes(records: SourceRecord[], missing?: ReadonlySet<string>): Promise<ChangeType[]> {
    const created = (r: SourceRecord) =>
      missing?.has(r.id.toLowerCase()) || (typeof r.values.createdon === "string" && r.values.createdon === r.values.modifiedon);
    const unsure = records.filter((r) => !created(r)).map((r) => r.id);
    const present = unsure.length ? await this.ctx.dest.existingIds(this.target.spec, unsure) : new Set<string>();
    return records.map((r) => (created(r) || !present.has(r.id.toLowerCase()) ? "New" : "Update"));
  }

  private async writeDeletes(ids: string[]): Promise<{ failedIds: Set<string> }> {
    const { dest, deleteLog } = this.ctx;
    return this.isolate(
      ids,
      (batch) => dest.delete(this.target.spec, batch, deleteLog),
      async (failed) => failed.map((id) => ({ id, version: "deleted", changeType: "Delete" as const })),
    );
  }

  /**
   * Writes `items` as one batch; when the target refuses it for a record-level reason, splits it
   * in halves to find the poison items, retries those per the profile's policy, then logs each
   * once. Transient and table-level errors propagate (nothing of this page is checkpointed).
   */
  private async isolate<T>(
    items: T[],
    write: (batch: T[]) => Promise<unknown>,
    describe: (items: T[]) => Promise<{ id: string; version: string; changeType: ChangeType }[]>,
    breaker = true,
  ): Promise<{ failedIds: Set<string> }> {
    const failedIds = new Set<string>();
    const pending = await findPoison(items, write, {
      entity: this.entity, breaker, retry: this.ctx.retry, sleep: this.ctx.sleep ?? sleep, signal: this.ctx.signal,
    });
    const { retryCount } = this.ctx.retry;
    const described = pending.length ? await describe(pending.map((p) => p.item)) : [];
    for (const [i, p] of pending.entries()) {
      const d = described[i];
      failedIds.add(d.id.toLowerCase());
      const reason = errorText(p.err);
      this.ctx.log.warn(`${this.entity} ${d.id}: ${reason} (gave up after ${retryCount} retries)`);
      await this.logRecordFailure(d, reason);
    }
    return { failedIds };
  }

  /** Marker and log entry together: a crash between them can neither lose nor repeat the entry. */
  private async logRecordFailure(d: { id: string; version: string; changeType: ChangeType }, reason: string): Promise<void> {
    const { db, profileId } = this.ctx;
    const entity = this.entity;
    await db.$transaction(async (tx) => {
      const txDb = tx as unknown as Db;
      if (d.changeType !== "Delete") await markFailedRecord(txDb, profileId, { entity, recordId: d.id.toLowerCase(), version: d.version, changeType: d.changeType, reason });
      await appendFailure(txDb, profileId, { entity, recordId: d.id, changeType: d.changeType, reason });
    });
    if (d.changeType !== "Delete") (await this.loadMarkers()).set(d.id.toLowerCase(), d.version);
  }
}

function add(s: RunSummary, out: PageOutcome, page: ChangePage): void {
  s.upserts += out.ok;
  s.deletes += out.deleted;
  s.failed += out.failed;
  s.skipped += out.skipped;
  s.pages += 1;
  void page;
}

/**
 * Table-level failure: one `N/A` entry, the table marked Failed with the reason. The entry is not
 * repeated while the table stays Failed for the same reason (the runner retries it on a backoff).
 */
export async function failTable(db: Db, profileId: string, tableId: string, entity: string, err: unknown, what: "metadata" | "data"): Promise<void> {
  const reason = errorText(err);
  const before = await loadTable(db, tableId);
  const same = before?.initialSyncState === "Failed" && before.lastError === reason;
  if (!same) await appendFailure(db, profileId, { entity, recordId: null, changeType: "Trigger Initial Export", reason });
  await updateTable(db, tableId, {
    lastError: reason,
    initialSyncState: "Failed",
    ...(what === "metadata" ? { metadataState: "Failed" } : {}),
  });
}
