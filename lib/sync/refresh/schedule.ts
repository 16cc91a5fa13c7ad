// When a scheduled lake export runs next: every N hours, or on a cron expression read in UTC
// (croner, 5 fields). Pure functions: the profile services validate and show them, the scheduled
// runner (runner.ts) waits for them.
import { Cron } from "croner";

export const REFRESH_MODES = ["continuous", "hours", "cron"] as const;
export type RefreshMode = (typeof REFRESH_MODES)[number];

export interface RefreshSchedule {
  mode: RefreshMode;
  everyHours: number | null;
  cron: string | null;
}

const HOUR_MS = 3_600_000;
/** Dataverse keeps change-tracking data 7 days by default: a longer gap forces a full re-export. */
export const MAX_GAP_HOURS = 168;

function cronOf(expr: string): Cron {
  return new Cron(expr, { timezone: "UTC", mode: "5-part" });
}

/** Why a cron expression cannot be a refresh schedule, or null when it can. */
export function cronProblem(expr: string): string | null {
  let c: Cron;
  try {
    c = cronOf(expr);
  } catch (err) {
    const why = (err as Error).message.replace(/^CronPattern:\s*/, "");
    return `"${expr}" is not a cron expression: ${why}. Use five fields (minute hour day-of-month month day-of-week, UTC), e.g. "0 */6 * * *".`;
  }
  const from = new Date();
  const runs = c.nextRuns(12, from);
  if (runs.length === 0) return `"${expr}" never runs. Give a schedule that repeats, e.g. "0 2 * * *" (daily at 02:00 UTC).`;
  let prev = from;
  for (const r of runs) {
    if (r.getTime() - prev.getTime() > MAX_GAP_HOURS * HOUR_MS && prev !== from) {
      return `"${expr}" leaves more than 7 days between runs; Dataverse keeps changes for 7 days, so every run would re-export everything. Run at least weekly.`;
    }
    prev = r;
  }
  return null;
}

/** The first run after `after`: `after` + N hours, or the cron's next occurrence (null: never). */
export function nextRefreshAt(s: RefreshSchedule, after: Date): Date | null {
  if (s.mode === "hours" && s.everyHours && s.everyHours > 0) return new Date(after.getTime() + s.everyHours * HOUR_MS);
  if (s.mode === "cron" && s.cron) return cronOf(s.cron).nextRun(after) ?? null;
  return null;
}

/**
 * The next run after one that was due at `dueAt` and ended at `now`. Every N hours keeps its
 * rhythm (due + k·N); occurrences missed while a run was going are skipped, not run back to back.
 */
export function nextAfterRun(s: RefreshSchedule, dueAt: Date, now: Date): Date | null {
  if (s.mode === "hours" && s.everyHours && s.everyHours > 0) {
    const step = s.everyHours * HOUR_MS;
    const k = Math.max(1, Math.floor((now.getTime() - dueAt.getTime()) / step) + 1);
    return new Date(dueAt.getTime() + k * step);
  }
  return nextRefreshAt(s, now > dueAt ? now : dueAt);
}

/** "every 6 hours", "cron 0 2 * * * (UTC)", "continuous". */
export function describeRefresh(s: RefreshSchedule): string {
  if (s.mode === "hours") return s.everyHours === 1 ? "every hour" : `every ${s.everyHours} hours`;
  if (s.mode === "cron") return `cron ${s.cron} (UTC)`;
  return "continuous";
}
