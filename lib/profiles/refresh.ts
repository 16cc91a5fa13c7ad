import "server-only";
// Scheduled refresh as the portal and the REST API see it: "Run now" (admins, and contributors on
// exports over shared connections) stores a request the worker running the export picks up; the
// run history and the next run time are read by every signed-in role. The runs themselves happen
// in the worker (lib/sync/refresh), never in a request.
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { type Actor, assertMayChangeProfiles } from "../auth/actor";
import type { Db } from "../db";
import { ConflictError, NotFoundError } from "../errors";
import { listRuns, requestRefresh, scheduleOf, type RefreshRunRow, type RunCursor } from "../sync/refresh/store";
import { describeRefresh } from "../sync/refresh/schedule";
import { parseInput } from "../validation";
import { assertMayManageProfile } from "./access";
import { ZProfileId } from "./schemas";
import { NOT_FOUND } from "./status";

export const ZRefreshRunsQuery = z.object({
  limit: z.preprocess((v) => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v), z.number({ message: "Limit must be a whole number from 1 to 100." }).int().min(1, "Limit must be a whole number from 1 to 100.").max(100, "Limit must be a whole number from 1 to 100.")).default(20),
  /** The previous page's nextCursor: the last run's start time and id. */
  before: z
    .string()
    .transform((v, ctx): RunCursor => {
      const m = CURSOR.exec(v);
      const startedAt = m ? new Date(m[1]) : null;
      if (!m || Number.isNaN(startedAt!.getTime())) {
        ctx.addIssue({ code: "custom", message: "That page cursor is not valid; start from the first page." });
        return z.NEVER;
      }
      return { startedAt: startedAt!, id: m[2] };
    })
    .optional(),
});

/** nextCursor: "<start time, ISO 8601>_<run id>". */
const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)_([0-9a-f-]{36})$/;
const cursorOf = (r: RefreshRunRow) => `${r.startedAt.toISOString()}_${r.id}`;

export interface RefreshView {
  profileId: string;
  mode: "continuous" | "hours" | "cron";
  description: string;
  nextRunAt: Date | null;
  requestedAt: Date | null;
  runs: RefreshRunRow[];
  /** Pass as `before` for older runs; null on the last page. */
  nextCursor: string | null;
}

export const NOT_SCHEDULED = "Run now is for data lake exports refreshed on a schedule; this export is kept in sync continuously.";

export async function runNow(db: Db, actor: Actor, id: unknown): Promise<RefreshView> {
  assertMayChangeProfiles(actor);
  const profileId = parseInput(ZProfileId, id);
  await assertMayManageProfile(db, actor, profileId);
  const p = await db.profile.findUnique({ where: { id: profileId }, select: { name: true, dataActive: true, destinationType: true, refreshMode: true, refreshEveryHours: true, refreshCron: true, refreshRequestedAt: true } });
  if (!p) throw new NotFoundError(NOT_FOUND);
  if (scheduleOf(p).mode === "continuous") throw new ConflictError(NOT_SCHEDULED);
  if (!p.dataActive) throw new ConflictError("Activate the export first: an inactive export does not run.");
  // A request already waiting is answered by the same run.
  if (!p.refreshRequestedAt) await requestRefresh(db, profileId, actor.email, new Date());
  await recordAudit(db, actor, { action: "profile.run_now", object: { type: "profile", id: profileId, label: p.name } });
  return readRefresh(db, profileId, { limit: 20 });
}

export async function getRefreshRuns(db: Db, actor: Actor, id: unknown, query: unknown = {}): Promise<RefreshView> {
  void actor; // every signed-in role may read it
  const profileId = parseInput(ZProfileId, id);
  const q = parseInput(ZRefreshRunsQuery, query ?? {});
  return readRefresh(db, profileId, { limit: q.limit, before: q.before });
}

async function readRefresh(db: Db, profileId: string, o: { limit: number; before?: RunCursor }): Promise<RefreshView> {
  const p = await db.profile.findUnique({ where: { id: profileId }, select: { destinationType: true, refreshMode: true, refreshEveryHours: true, refreshCron: true, refreshNextAt: true, refreshRequestedAt: true } });
  if (!p) throw new NotFoundError(NOT_FOUND);
  const s = scheduleOf(p);
  const runs = await listRuns(db, profileId, { limit: o.limit + 1, before: o.before });
  const page = runs.slice(0, o.limit);
  return {
    profileId,
    mode: s.mode,
    description: describeRefresh(s),
    nextRunAt: s.mode === "continuous" ? null : p.refreshNextAt,
    requestedAt: s.mode === "continuous" ? null : p.refreshRequestedAt,
    runs: page,
    nextCursor: runs.length > o.limit ? cursorOf(page[page.length - 1]) : null,
  };
}
