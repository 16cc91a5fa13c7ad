// The worker's housekeeping. Retention: failure-log entries, throughput stats and the alert history
// (resolved alerts with their messages, test messages) older than RETENTION_DAYS (default 90; 0 keeps
// everything) are deleted — an open alert is kept however old: it is still going on — oldest first, in batches of a few
// thousand rows — short statements, so a SQLite store's writers (the runners) wait milliseconds, not
// the length of the whole purge. Several workers pruning at once only repeat deletes of nothing.
// Then, on SQLite, fresh planner statistics (refreshPlannerStats). The audit log has its own
// retention (AUDIT_RETENTION_DAYS, lib/audit/retention.ts), pruned in the same pass.
import { auditRetentionDays, pruneAuditLog } from "../audit/retention";
import { storeProviderOf, type Db } from "../db";
import { errorText } from "./retry-policy";
import { silentLog, type Logger } from "./table-pipeline";

export const DEFAULT_RETENTION_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

/** RETENTION_DAYS: days to keep; `0` keeps everything (null). Rejects anything but a whole number. */
export function retentionDays(env: Record<string, string | undefined> = process.env): number | null {
  const raw = env.RETENTION_DAYS?.trim();
  if (!raw) return DEFAULT_RETENTION_DAYS;
  if (!/^\d{1,6}$/.test(raw)) throw new Error(`RETENTION_DAYS must be a whole number of days (0 keeps everything), got '${raw}'`);
  const days = Number(raw);
  return days === 0 ? null : days;
}

export interface PruneResult {
  failures: number;
  stats: number;
  /** Resolved alerts and test messages. */
  alerts: number;
}

/** Deletes what is older than `days` before `now`, `batch` rows a statement. */
export async function pruneExpired(db: Db, opts: { days: number; now: Date; batch?: number; signal?: AbortSignal }): Promise<PruneResult> {
  const { days, now, batch = 5000, signal } = opts;
  const cutoff = new Date(now.getTime() - days * DAY_MS);
  const result: PruneResult = { failures: 0, stats: 0, alerts: 0 };
  // Failure: the (notificationTime, id) index gives the oldest ids; delete them by primary key.
  while (!signal?.aborted) {
    const ids = await db.failure.findMany({
      where: { notificationTime: { lt: cutoff } },
      orderBy: [{ notificationTime: "asc" }, { id: "asc" }],
      take: batch,
      select: { id: true },
    });
    if (ids.length === 0) break;
    result.failures += (await db.failure.deleteMany({ where: { id: { in: ids.map((r) => r.id) } } })).count;
    if (ids.length < batch) break;
  }
  // SyncStat (composite key): the minute of the batch-th oldest row bounds each delete (the rows of
  // that one minute may add a few over the batch).
  while (!signal?.aborted) {
    const edge = await db.syncStat.findFirst({ where: { minute: { lt: cutoff } }, orderBy: { minute: "asc" }, skip: batch - 1, select: { minute: true } });
    const deleted = (await db.syncStat.deleteMany({ where: { minute: edge ? { lte: edge.minute } : { lt: cutoff } } })).count;
    result.stats += deleted;
    if (!edge || deleted === 0) break;
  }
  // Alert history: a few rows a day at most, so one statement each. Deleting an alert deletes the
  // messages sent for it (cascade); test messages belong to no alert.
  if (!signal?.aborted) {
    result.alerts += (await db.alert.deleteMany({ where: { openKey: null, resolvedAt: { lt: cutoff } } })).count;
    result.alerts += (await db.alertDelivery.deleteMany({ where: { alertId: null, at: { lt: cutoff } } })).count;
  }
  return result;
}

/**
 * Planner statistics for the SQLite store (PostgreSQL's autovacuum keeps its own): without them
 * SQLite guesses that any equality narrows to a few rows, and a record-id search combined with a
 * table and a change type may walk the (table, change type) index instead of the record-id one.
 * ANALYZE with a sampling limit takes milliseconds at a million entries.
 */
export async function refreshPlannerStats(db: Db): Promise<void> {
  if (storeProviderOf(db) !== "sqlite") return;
  await db.$queryRawUnsafe("PRAGMA analysis_limit = 1000");
  await db.$executeRawUnsafe("ANALYZE");
}

export interface HousekeepingOptions {
  /** Days to keep (null: keep everything). Default: RETENTION_DAYS, else 90. */
  retentionDays?: number | null;
  /** Days to keep audit entries (null: keep them all). Default: AUDIT_RETENTION_DAYS, else 365. */
  auditRetentionDays?: number | null;
  /** How often to prune (default hourly); the first pass runs at start. */
  everyMs?: number;
  batch?: number;
  /** The clock (tests inject one). */
  now?: () => Date;
}

/** The worker's periodic housekeeping; stop() waits for a pass in flight. */
export function startHousekeeping(db: Db, log: Logger = silentLog, opts: HousekeepingOptions = {}): { stop(): Promise<void> } {
  const days = opts.retentionDays === undefined ? retentionDays() : opts.retentionDays;
  const auditDays = opts.auditRetentionDays === undefined ? auditRetentionDays() : opts.auditRetentionDays;
  const everyMs = opts.everyMs ?? 60 * 60 * 1000;
  const now = opts.now ?? (() => new Date());
  const stop = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let pass: Promise<void> = Promise.resolve();
  const tick = () => {
    pass = (days === null ? Promise.resolve({ failures: 0, stats: 0, alerts: 0 }) : pruneExpired(db, { days, now: now(), batch: opts.batch, signal: stop.signal }))
      .then(async (r) => {
        if (r.failures || r.stats) log.info(`housekeeping: removed ${r.failures} failure-log entries and ${r.stats} throughput stats older than ${days} days`);
        if (!stop.signal.aborted) await refreshPlannerStats(db);
      })
      .catch((err) => log.warn(`housekeeping: pruning failed (tried again in ${Math.round(everyMs / 1000)} s): ${errorText(err)}`))
      .then(async () => {
        if (stop.signal.aborted) return;
        const removed = await pruneAuditLog(db, auditDays, now());
        if (removed) log.info(`housekeeping: removed ${removed} audit log entries older than ${auditDays} days`);
      })
      .catch((err) => log.warn(`housekeeping: pruning the audit log failed (tried again in ${Math.round(everyMs / 1000)} s): ${errorText(err)}`))
      .finally(() => {
        if (!stop.signal.aborted) timer = setTimeout(tick, everyMs);
      });
  };
  tick();
  return {
    async stop() {
      stop.abort();
      if (timer) clearTimeout(timer);
      await pass;
    },
  };
}
