// Prisma side of reconciliation: requests (desired state written by the portal, the REST API, the
// CLI or the schedule), their execution state, and the results per table.
import type { Db } from "../../db";
import type { ProfileReconciliation } from "./reconcile-profile";
import type { TableReconciliation } from "./reconcile-table";

export type ReconcileTrigger = "portal" | "api" | "cli" | "schedule";
export type ReconcileStatus = "requested" | "running" | "done" | "failed";

export interface ReconcileRequest {
  id: string;
  profileId: string;
  status: string;
  trigger: string;
  tables: string[] | null;
  repair: boolean;
  requestedAt: Date;
}

export interface StoredTableResult {
  logicalName: string;
  tableName: string | null;
  sourceCount: number;
  targetCount: number;
  missing: number;
  extra: number;
  stale: number;
  samples: { missing: string[]; extra: string[]; stale: string[] };
  durationMs: number;
  repaired: boolean;
  repairedRows: number;
  repairFailed: number;
  error: string | null;
}

export interface StoredReconciliation extends ReconcileRequest {
  requestedBy: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  missing: number | null;
  extra: number | null;
  stale: number | null;
  error: string | null;
  results: StoredTableResult[];
}

const parseTables = (t: string | null): string[] | null => (t ? (JSON.parse(t) as string[]) : null);

/**
 * Asks the worker to reconcile a profile. An identical request still waiting is reused, so a
 * double click or a retried API call does not queue the work twice.
 */
export async function requestReconciliation(
  db: Db,
  profileId: string,
  r: { trigger: ReconcileTrigger; tables?: string[] | null; repair?: boolean; requestedBy?: string | null },
): Promise<string> {
  const tables = r.tables?.length ? JSON.stringify([...new Set(r.tables)].sort()) : null;
  const repair = r.repair === true;
  const waiting = await db.reconciliation.findFirst({ where: { profileId, status: "requested", tables, repair }, select: { id: true } });
  if (waiting) return waiting.id;
  const row = await db.reconciliation.create({ data: { profileId, trigger: r.trigger, tables, repair, requestedBy: r.requestedBy ?? null }, select: { id: true } });
  return row.id;
}

/** The oldest request the worker has not started. */
export async function nextReconcileRequest(db: Db, profileId: string): Promise<ReconcileRequest | null> {
  const r = await db.reconciliation.findFirst({
    where: { profileId, status: "requested" },
    orderBy: { requestedAt: "asc" },
    select: { id: true, profileId: true, status: true, trigger: true, tables: true, repair: true, requestedAt: true },
  });
  return r ? { ...r, tables: parseTables(r.tables) } : null;
}

/** A run cut short by a crash or a stop goes back to the queue (runs are idempotent). */
export async function requeueInterrupted(db: Db, profileId: string): Promise<number> {
  const r = await db.reconciliation.updateMany({ where: { profileId, status: "running" }, data: { status: "requested", startedAt: null } });
  await db.reconciliationTable.deleteMany({ where: { reconciliation: { profileId, status: "requested" } } });
  return r.count;
}

export async function markReconcileRunning(db: Db, id: string): Promise<void> {
  await db.reconciliation.update({ where: { id }, data: { status: "running", startedAt: new Date(), error: null } });
}

export async function saveTableResult(db: Db, reconciliationId: string, t: TableReconciliation): Promise<void> {
  await db.reconciliationTable.create({
    data: {
      reconciliationId, logicalName: t.logicalName, tableName: t.tableName, sourceCount: t.sourceCount, targetCount: t.targetCount,
      missing: t.missing, extra: t.extra, stale: t.stale, samples: JSON.stringify(t.samples), durationMs: t.durationMs,
      repaired: t.repaired, repairedRows: t.repairedRows, repairFailed: t.repairFailed, error: t.error?.slice(0, 2000) ?? null,
    },
  });
}

export async function finishReconciliation(db: Db, id: string, r: ProfileReconciliation): Promise<void> {
  const failed = r.tables.find((t) => t.error);
  await db.reconciliation.update({
    where: { id },
    data: {
      status: failed ? "failed" : "done", finishedAt: r.finishedAt, durationMs: r.durationMs, missing: r.missing, extra: r.extra, stale: r.stale,
      error: failed ? `${failed.logicalName}: ${failed.error}`.slice(0, 2000) : null,
    },
  });
}

export async function failReconciliation(db: Db, id: string, error: string, startedAt: Date): Promise<void> {
  const now = new Date();
  await db.reconciliation.update({ where: { id }, data: { status: "failed", finishedAt: now, durationMs: now.getTime() - startedAt.getTime(), error: error.slice(0, 2000) } });
}

const RESULT_SELECT = {
  id: true, profileId: true, status: true, trigger: true, tables: true, repair: true, requestedAt: true, requestedBy: true,
  startedAt: true, finishedAt: true, durationMs: true, missing: true, extra: true, stale: true, error: true,
  results: {
    orderBy: { logicalName: "asc" as const },
    select: {
      logicalName: true, tableName: true, sourceCount: true, targetCount: true, missing: true, extra: true, stale: true, samples: true,
      durationMs: true, repaired: true, repairedRows: true, repairFailed: true, error: true,
    },
  },
} as const;

type Row = NonNullable<Awaited<ReturnType<typeof findOne>>>;
const findOne = (db: Db, where: { profileId: string; status?: { in: string[] } }) =>
  db.reconciliation.findFirst({ where, orderBy: { requestedAt: "desc" }, select: RESULT_SELECT });

function toStored(r: Row): StoredReconciliation {
  return {
    ...r,
    tables: parseTables(r.tables),
    results: r.results.map((t) => ({ ...t, samples: { missing: [], extra: [], stale: [], ...(JSON.parse(t.samples) as object) } })),
  };
}

/** The newest reconciliation of a profile, whatever its state (null when there was none). */
export async function latestReconciliation(db: Db, profileId: string): Promise<StoredReconciliation | null> {
  const r = await findOne(db, { profileId });
  return r ? toStored(r) : null;
}

/** The newest finished one (done or failed): what the profile page shows as "last result". */
export async function lastFinishedReconciliation(db: Db, profileId: string): Promise<StoredReconciliation | null> {
  const r = await findOne(db, { profileId, status: { in: ["done", "failed"] } });
  return r ? toStored(r) : null;
}

export async function listReconciliations(db: Db, profileId: string, limit = 20): Promise<StoredReconciliation[]> {
  const rows = await db.reconciliation.findMany({ where: { profileId }, orderBy: { requestedAt: "desc" }, take: limit, select: RESULT_SELECT });
  return rows.map(toStored);
}
