import "server-only";
// REST: ask for a reconciliation (admin) and read its results (any role), PascalCase like the rest
// of the API. The worker runs it; the POST only stores the request (202).
import { db } from "../db";
import { ValidationError } from "../errors";
import { getReconciliation, requestReconcile, type ReconciliationView } from "../profiles/reconciliation";
import type { StoredReconciliation } from "../sync/reconcile/store";
import { apiRoute, profileIdFrom, type IdContext } from "./route";

const STATUS: Record<string, string> = { requested: "Requested", running: "Running", done: "Completed", failed: "Failed" };

function desRun(r: StoredReconciliation | null): Record<string, unknown> | null {
  if (!r) return null;
  const finished = r.status === "done" || r.status === "failed";
  return {
    Id: r.id,
    Status: STATUS[r.status] ?? r.status,
    Trigger: r.trigger,
    Repair: r.repair,
    Entities: r.tables,
    RequestedOn: r.requestedAt,
    StartedOn: r.startedAt,
    FinishedOn: r.finishedAt,
    DurationMs: r.durationMs,
    Missing: r.missing,
    Extra: r.extra,
    Stale: r.stale,
    IsEqual: finished ? r.status === "done" && r.missing === 0 && r.extra === 0 && r.stale === 0 : null,
    Error: r.error,
    Results: r.results.map((t) => ({
      Entity: t.logicalName,
      TableName: t.tableName,
      SourceCount: t.sourceCount,
      TargetCount: t.targetCount,
      Missing: t.missing,
      Extra: t.extra,
      Stale: t.stale,
      Samples: { Missing: t.samples.missing, Extra: t.samples.extra, Stale: t.samples.stale },
      DurationMs: t.durationMs,
      Repaired: t.repaired,
      RepairedRows: t.repairedRows,
      RepairFailed: t.repairFailed,
      Error: t.error,
    })),
  };
}

export function desReconciliation(v: ReconciliationView): Record<string, unknown> {
  return {
    ProfileId: v.profileId,
    Schedule: { Enabled: v.schedule.enabled, TimeOfDayUtc: v.schedule.timeUtc, EveryHours: v.schedule.everyHours, NextRunOn: v.schedule.nextRunAt },
    Latest: desRun(v.latest),
    LastCompleted: desRun(v.lastFinished),
  };
}

async function optionalJson(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ValidationError("The request body is not valid JSON.");
  }
}

/** Body (optional): { "Entities": ["account"], "Repair": true }. */
export const postReconcile = (req: Request, ctx: IdContext) =>
  apiRoute("POST profiles/{id}/reconcile", req, async (actor) => {
    const id = profileIdFrom((await ctx.params).id);
    const body = await optionalJson(req);
    const input = typeof body === "object" && body !== null && !Array.isArray(body)
      ? { ...(body.Entities !== undefined ? { tables: body.Entities } : {}), ...(body.Repair !== undefined ? { repair: body.Repair } : {}), ...Object.fromEntries(Object.entries(body).filter(([k]) => k !== "Entities" && k !== "Repair")) }
      : body;
    return desReconciliation(await requestReconcile(db, actor, id, input, "api"));
  }, 202);

export const getReconciliationRoute = (req: Request, ctx: IdContext) =>
  apiRoute("GET profiles/{id}/reconciliation", req, async (actor) => desReconciliation(await getReconciliation(db, actor, profileIdFrom((await ctx.params).id))));
