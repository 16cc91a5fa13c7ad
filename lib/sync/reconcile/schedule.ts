// The per-profile reconciliation schedule: on by default, daily at a UTC time of day, or every N
// hours. The worker asks `scheduleIfDue` each cycle; a due slot becomes an ordinary request.
import type { Db } from "../../db";
import { requestReconciliation } from "./store";

export interface ReconcileSchedule {
  enabled: boolean;
  /** "HH:MM", UTC. */
  timeUtc: string;
  /** When set, every N hours instead of daily. */
  everyHours: number | null;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isTimeOfDay(s: string): boolean {
  return HH_MM.test(s);
}

/** The newest scheduled instant at or before `now` (daily), or null for an interval schedule. */
export function lastDailySlot(timeUtc: string, now: Date): Date | null {
  const m = HH_MM.exec(timeUtc);
  if (!m) return null;
  const slot = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), Number(m[1]), Number(m[2])));
  if (slot > now) slot.setUTCDate(slot.getUTCDate() - 1);
  return slot;
}

/** Due when a slot fell after `since` (the last reconciliation asked for, or the profile's creation). */
export function isDue(s: ReconcileSchedule, since: Date, now: Date): boolean {
  if (!s.enabled) return false;
  if (s.everyHours && s.everyHours > 0) return now.getTime() - since.getTime() >= s.everyHours * 3_600_000;
  const slot = lastDailySlot(s.timeUtc, now);
  return slot !== null && slot > since;
}

/** The next run for display: the next daily slot, or `since` + the interval. */
export function nextRun(s: ReconcileSchedule, since: Date, now: Date): Date | null {
  if (!s.enabled) return null;
  if (s.everyHours && s.everyHours > 0) return new Date(Math.max(now.getTime(), since.getTime() + s.everyHours * 3_600_000));
  const last = lastDailySlot(s.timeUtc, now);
  if (!last) return null;
  return last > since ? now : new Date(last.getTime() + 86_400_000);
}

/**
 * Files a "schedule" request when a slot is due, the profile's tables have finished their initial
 * export (a comparison during one only measures its progress) and nothing is queued or running.
 */
export async function scheduleIfDue(db: Db, profileId: string, now = new Date()): Promise<string | null> {
  const p = await db.profile.findUnique({
    where: { id: profileId },
    select: {
      createdAt: true, dataActive: true, reconcileScheduleEnabled: true, reconcileTimeUtc: true, reconcileEveryHours: true,
      tables: { where: { enabled: true }, select: { initialSyncState: true } },
      reconciliations: { orderBy: { requestedAt: "desc" }, take: 1, select: { requestedAt: true, status: true } },
    },
  });
  if (!p || !p.dataActive || p.tables.length === 0) return null;
  if (!p.tables.every((t) => t.initialSyncState === "Completed" || t.initialSyncState === "CompletedWithFailures")) return null;
  const last = p.reconciliations[0];
  if (last && (last.status === "requested" || last.status === "running")) return null;
  const since = last ? (last.requestedAt > p.createdAt ? last.requestedAt : p.createdAt) : p.createdAt;
  const schedule = { enabled: p.reconcileScheduleEnabled, timeUtc: p.reconcileTimeUtc, everyHours: p.reconcileEveryHours };
  if (!isDue(schedule, since, now)) return null;
  return requestReconciliation(db, profileId, { trigger: "schedule" });
}
