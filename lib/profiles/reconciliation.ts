import "server-only";
// Reconciliation as the portal and the REST API see it: ask the worker to reconcile (admin), read
// the latest results and the schedule (anyone signed in), change the schedule (admin). The work
// itself runs in the worker (lib/sync/side-tasks.ts), never in a request.
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { type Actor, assertMayChangeProfiles } from "../auth/actor";
import { assertMayManageProfile } from "./access";
import type { Db } from "../db";
import { NotFoundError } from "../errors";
import { isTimeOfDay, nextRun } from "../sync/reconcile/schedule";
import { lastFinishedReconciliation, latestReconciliation, requestReconciliation, type StoredReconciliation } from "../sync/reconcile/store";
import { parseInput } from "../validation";
import { profileName } from "./audit-fields";
import { ZProfileId } from "./schemas";
import { assertProfileExists } from "./status";

export const ZReconcileRequest = z.object({
  tables: z.array(z.string().trim().min(1, "A table name cannot be empty.").max(128)).max(500).optional(),
  repair: z.boolean({ message: "repair is true or false." }).optional(),
}).strict();
export type TReconcileRequest = z.infer<typeof ZReconcileRequest>;

export const ZReconcileSchedule = z.object({
  enabled: z.boolean(),
  timeUtc: z.string().trim().refine(isTimeOfDay, "Give a time of day as HH:MM (UTC), e.g. 02:00."),
  everyHours: z.number({ message: "Give the interval in whole hours (1 to 168), or none for daily." }).int().min(1, "At least every hour.").max(168, "At most every 168 hours (a week).").nullable(),
}).strict();
export type TReconcileSchedule = z.infer<typeof ZReconcileSchedule>;

export interface ReconciliationView {
  profileId: string;
  schedule: TReconcileSchedule & { nextRunAt: Date | null };
  /** The newest request, whatever its state (requested, running, done, failed). */
  latest: StoredReconciliation | null;
  /** The newest finished one: the "last result". */
  lastFinished: StoredReconciliation | null;
}

export async function requestReconcile(db: Db, actor: Actor, id: unknown, input: unknown, trigger: "portal" | "api"): Promise<ReconciliationView> {
  assertMayChangeProfiles(actor);
  const profileId = parseInput(ZProfileId, id);
  const data = parseInput(ZReconcileRequest, input ?? {});
  await assertMayManageProfile(db, actor, profileId);
  if (data.tables?.length) {
    const known = new Set((await db.profileTable.findMany({ where: { profileId, enabled: true }, select: { logicalName: true } })).map((t) => t.logicalName.toLowerCase()));
    const unknown = data.tables.filter((t) => !known.has(t.toLowerCase()));
    if (unknown.length) throw new NotFoundError(`The profile exports no table named ${unknown.map((t) => `'${t}'`).join(", ")}.`);
  }
  await requestReconciliation(db, profileId, { trigger, tables: data.tables, repair: data.repair, requestedBy: actor.email });
  await recordAudit(db, actor, {
    action: "profile.reconcile",
    object: { type: "profile", id: profileId, label: await profileName(db, profileId) },
    after: { tables: data.tables ?? "all", repair: data.repair ?? false, trigger },
  });
  return readReconciliation(db, profileId);
}

export async function getReconciliation(db: Db, actor: Actor, id: unknown): Promise<ReconciliationView> {
  void actor; // every signed-in role may read it
  const profileId = parseInput(ZProfileId, id);
  await assertProfileExists(db, profileId);
  return readReconciliation(db, profileId);
}

export async function updateReconcileSchedule(db: Db, actor: Actor, id: unknown, input: unknown): Promise<ReconciliationView> {
  assertMayChangeProfiles(actor);
  const profileId = parseInput(ZProfileId, id);
  const s = parseInput(ZReconcileSchedule, input);
  await assertMayManageProfile(db, actor, profileId);
  const before = await db.profile.findUniqueOrThrow({ where: { id: profileId }, select: { name: true, reconcileScheduleEnabled: true, reconcileTimeUtc: true, reconcileEveryHours: true } });
  await db.profile.update({ where: { id: profileId }, data: { reconcileScheduleEnabled: s.enabled, reconcileTimeUtc: s.timeUtc, reconcileEveryHours: s.everyHours } });
  await recordAudit(db, actor, {
    action: "profile.reconcile_schedule",
    object: { type: "profile", id: profileId, label: before.name },
    before: { enabled: before.reconcileScheduleEnabled, timeUtc: before.reconcileTimeUtc, everyHours: before.reconcileEveryHours },
    after: s,
  });
  return readReconciliation(db, profileId);
}

async function readReconciliation(db: Db, profileId: string): Promise<ReconciliationView> {
  const p = await db.profile.findUniqueOrThrow({
    where: { id: profileId },
    select: { createdAt: true, reconcileScheduleEnabled: true, reconcileTimeUtc: true, reconcileEveryHours: true },
  });
  const [latest, lastFinished] = await Promise.all([latestReconciliation(db, profileId), lastFinishedReconciliation(db, profileId)]);
  const schedule = { enabled: p.reconcileScheduleEnabled, timeUtc: p.reconcileTimeUtc, everyHours: p.reconcileEveryHours };
  const since = latest && latest.requestedAt > p.createdAt ? latest.requestedAt : p.createdAt;
  return { profileId, schedule: { ...schedule, nextRunAt: nextRun(schedule, since, new Date()) }, latest, lastFinished };
}
