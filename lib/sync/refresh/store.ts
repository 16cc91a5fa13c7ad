// The store side of scheduled refresh: the schedule a runner waits on, "Run now" requests (in the
// store, so any web process or worker host can file one for whichever worker runs the profile),
// and the run history rows.
import type { Db } from "../../db";
import type { RefreshMode, RefreshSchedule } from "./schedule";

export interface RefreshState {
  schedule: RefreshSchedule;
  nextAt: Date | null;
  requestedAt: Date | null;
  requestedBy: string | null;
}

export type RefreshTrigger = "schedule" | "manual";
export type RefreshResult = "running" | "succeeded" | "failed";

export interface RefreshRunRow {
  id: string;
  trigger: RefreshTrigger;
  requestedBy: string | null;
  dueAt: Date;
  startedAt: Date;
  endedAt: Date | null;
  result: RefreshResult;
  rowsWritten: number;
  message: string | null;
}

export const RUN_SELECT = { id: true, trigger: true, requestedBy: true, dueAt: true, startedAt: true, endedAt: true, result: true, rowsWritten: true, message: true } as const;

export function asRunRow(r: { trigger: string; result: string } & Omit<RefreshRunRow, "trigger" | "result">): RefreshRunRow {
  return { ...r, trigger: r.trigger === "manual" ? "manual" : "schedule", result: r.result === "succeeded" ? "succeeded" : r.result === "failed" ? "failed" : "running" };
}

/** A profile's schedule as stored; a non-lake profile is always continuous. */
export function scheduleOf(p: { destinationType: string; refreshMode: string; refreshEveryHours: number | null; refreshCron: string | null }): RefreshSchedule {
  const mode: RefreshMode = p.destinationType === "datalake" && (p.refreshMode === "hours" || p.refreshMode === "cron") ? p.refreshMode : "continuous";
  return { mode, everyHours: p.refreshEveryHours, cron: p.refreshCron };
}

export async function loadRefreshState(db: Db, profileId: string): Promise<RefreshState | null> {
  const p = await db.profile.findUnique({
    where: { id: profileId },
    select: { destinationType: true, refreshMode: true, refreshEveryHours: true, refreshCron: true, refreshNextAt: true, refreshRequestedAt: true, refreshRequestedBy: true },
  });
  if (!p) return null;
  return { schedule: scheduleOf(p), nextAt: p.refreshNextAt, requestedAt: p.refreshRequestedAt, requestedBy: p.refreshRequestedBy };
}

export async function isScheduled(db: Db, profileId: string): Promise<boolean> {
  const s = await loadRefreshState(db, profileId);
  return s !== null && s.schedule.mode !== "continuous";
}

export async function setNextRefresh(db: Db, profileId: string, nextAt: Date | null): Promise<void> {
  await db.profile.updateMany({ where: { id: profileId }, data: { refreshNextAt: nextAt } });
}

/** "Run now": the runner of the profile, wherever it runs, sees it at its next look at the store. */
export async function requestRefresh(db: Db, profileId: string, requestedBy: string | null, at: Date): Promise<void> {
  await db.profile.update({ where: { id: profileId }, data: { refreshRequestedAt: at, refreshRequestedBy: requestedBy } });
}

/**
 * Starts a run row. A manual run takes the request it answers (compare-and-set on the request's
 * time, so a "Run now" filed while this run starts is kept for the next one).
 */
export async function startRun(db: Db, profileId: string, o: { trigger: RefreshTrigger; dueAt: Date; requestedBy: string | null; startedAt: Date }): Promise<string> {
  if (o.trigger === "manual") {
    await db.profile.updateMany({ where: { id: profileId, refreshRequestedAt: o.dueAt }, data: { refreshRequestedAt: null, refreshRequestedBy: null } });
  }
  const row = await db.refreshRun.create({ data: { profileId, trigger: o.trigger, requestedBy: o.requestedBy, dueAt: o.dueAt, startedAt: o.startedAt }, select: { id: true } });
  return row.id;
}

export async function finishRun(db: Db, runId: string, o: { endedAt: Date; result: "succeeded" | "failed"; rowsWritten: number; message: string | null }): Promise<void> {
  await db.refreshRun.update({ where: { id: runId }, data: { endedAt: o.endedAt, result: o.result, rowsWritten: o.rowsWritten, message: o.message?.slice(0, 2000) ?? null } });
}

/** Runs left "running" by a runner that died: failed, so the history never shows a run forever going. */
export async function closeInterruptedRuns(db: Db, profileId: string, at: Date): Promise<number> {
  const r = await db.refreshRun.updateMany({
    where: { profileId, result: "running" },
    data: { result: "failed", endedAt: at, message: "Interrupted: the worker running it stopped before the end. Nothing after its last commit was kept; the next run reads those changes again." },
  });
  return r.count;
}

/** Where a page of runs ends: the last run's start time and id (runs may start in the same millisecond). */
export interface RunCursor {
  startedAt: Date;
  id: string;
}

/** Newest first, at most `limit`; `before`: keyset on (startedAt, id) — the previous page's last row. */
export async function listRuns(db: Db, profileId: string, o: { limit: number; before?: RunCursor }): Promise<RefreshRunRow[]> {
  const b = o.before;
  const rows = await db.refreshRun.findMany({
    where: { profileId, ...(b ? { OR: [{ startedAt: { lt: b.startedAt } }, { startedAt: b.startedAt, id: { lt: b.id } }] } : {}) },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: o.limit,
    select: RUN_SELECT,
  });
  return rows.map(asRunRow);
}
