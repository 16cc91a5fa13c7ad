// The refresh settings of a profile as the forms and the REST API give them: continuous (DES
// style, the default), every N hours, or a cron expression in UTC. Only data lake exports may be
// scheduled; that needs the target type, so refreshSettings() checks it with the profile.
import { z } from "zod";
import { ValidationError } from "../errors";
import { cronProblem, MAX_GAP_HOURS, nextRefreshAt, REFRESH_MODES, type RefreshMode } from "../sync/refresh/schedule";

export const ZRefreshMode = z.enum(REFRESH_MODES, { message: "Refresh must be continuous, hours (every N hours) or cron (a cron expression, UTC)." });

const HOURS_MSG = `Refresh every N hours: N must be a whole number from 1 to ${MAX_GAP_HOURS} (7 days; Dataverse keeps changes for 7 days).`;
export const ZRefreshEveryHours = z.preprocess(
  (v) => (typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
  z.number({ message: HOURS_MSG }).int(HOURS_MSG).min(1, HOURS_MSG).max(MAX_GAP_HOURS, HOURS_MSG),
);

export const ZRefreshCron = z
  .string({ message: "The cron expression must be text." })
  .trim()
  .min(1, 'Enter a cron expression (five fields, UTC), e.g. "0 */6 * * *".')
  .max(120, "A cron expression has at most 120 characters.")
  .superRefine((v, ctx) => {
    const problem = cronProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const refreshShape = {
  refreshMode: ZRefreshMode.optional(),
  refreshEveryHours: ZRefreshEveryHours.optional(),
  refreshCron: ZRefreshCron.optional(),
};

/** On a new profile (its target type is in the input): the same rules refreshSettings() applies, as field errors. */
export function refreshRule(p: { destinationType: string; refreshMode?: RefreshMode; refreshEveryHours?: number; refreshCron?: string }, ctx: z.RefinementCtx): void {
  // A field that failed its own check is already reported (zod runs this rule anyway).
  if (typeof p.refreshCron === "string" && cronProblem(p.refreshCron)) return;
  try {
    refreshSettings(p, null, p.destinationType);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const [field] = Object.keys(err.fieldErrors);
    ctx.addIssue({ code: "custom", message: err.message, path: [field ?? "refreshMode"] });
  }
}

/** Form fields left empty mean "not given". */
export const REFRESH_BLANKABLE = ["refreshMode", "refreshEveryHours", "refreshCron"] as const;

interface StoredRefresh {
  refreshMode: string;
  refreshEveryHours: number | null;
  refreshCron: string | null;
}

export interface RefreshData {
  refreshMode: RefreshMode;
  refreshEveryHours: number | null;
  refreshCron: string | null;
  refreshNextAt: Date | null;
}

function invalid(field: string, msg: string): ValidationError {
  return new ValidationError(msg, { [field]: msg });
}

/**
 * The refresh columns to store, or null when nothing about the refresh changed. `given`: what the
 * request holds (hours or a cron expression alone imply their mode); `stored`: the profile now
 * (null on create). A new or changed schedule starts counting from `now`.
 */
export function refreshSettings(given: { refreshMode?: RefreshMode; refreshEveryHours?: number; refreshCron?: string }, stored: StoredRefresh | null, destinationType: string, now = new Date()): RefreshData | null {
  const mode: RefreshMode =
    given.refreshMode ?? (given.refreshCron !== undefined ? "cron" : given.refreshEveryHours !== undefined ? "hours" : ((stored?.refreshMode as RefreshMode | undefined) ?? "continuous"));
  if (mode !== "continuous" && destinationType !== "datalake") {
    throw invalid("refreshMode", "A refresh schedule (every N hours or cron) is for data lake exports only; exports to a SQL database stay in sync continuously.");
  }
  let data: RefreshData;
  if (mode === "hours") {
    const everyHours = given.refreshEveryHours ?? (stored?.refreshMode === "hours" ? stored.refreshEveryHours : null);
    if (!everyHours) throw invalid("refreshEveryHours", `Give the hours between runs (1 to ${MAX_GAP_HOURS}).`);
    data = { refreshMode: mode, refreshEveryHours: everyHours, refreshCron: null, refreshNextAt: null };
  } else if (mode === "cron") {
    const cron = given.refreshCron ?? (stored?.refreshMode === "cron" ? stored.refreshCron : null);
    if (!cron) throw invalid("refreshCron", 'Give a cron expression (five fields, UTC), e.g. "0 */6 * * *".');
    data = { refreshMode: mode, refreshEveryHours: null, refreshCron: cron, refreshNextAt: null };
  } else {
    data = { refreshMode: mode, refreshEveryHours: null, refreshCron: null, refreshNextAt: null };
  }
  const same = stored && stored.refreshMode === data.refreshMode && stored.refreshEveryHours === data.refreshEveryHours && stored.refreshCron === data.refreshCron;
  if (same) return null;
  data.refreshNextAt = nextRefreshAt({ mode: data.refreshMode, everyHours: data.refreshEveryHours, cron: data.refreshCron }, now);
  return data;
}
