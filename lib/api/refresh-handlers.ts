import "server-only";
// REST: Run now (POST profiles/{id}/run: stores the request, 202; the worker running the export
// starts the run) and the run history (GET profiles/{id}/runs), PascalCase like the rest of the API.
import { db } from "../db";
import { getRefreshRuns, runNow, type RefreshView } from "../profiles/refresh";
import type { RefreshRunRow } from "../sync/refresh/store";
import { apiRoute, profileIdFrom, type IdContext } from "./route";

const RESULT = { running: "Running", succeeded: "Succeeded", failed: "Failed" } as const;
const TRIGGER = { schedule: "Schedule", manual: "Manual" } as const;
const MODE = { continuous: "Continuous", hours: "EveryHours", cron: "Cron" } as const;

function desRun(r: RefreshRunRow): Record<string, unknown> {
  return {
    Id: r.id,
    Trigger: TRIGGER[r.trigger],
    RequestedBy: r.requestedBy,
    DueOn: r.dueAt,
    StartedOn: r.startedAt,
    EndedOn: r.endedAt,
    Result: RESULT[r.result],
    RowsWritten: r.rowsWritten,
    Message: r.message,
  };
}

export function desRefreshView(v: RefreshView): Record<string, unknown> {
  return {
    ProfileId: v.profileId,
    Mode: MODE[v.mode],
    Schedule: v.description,
    NextRunDate: v.nextRunAt,
    RunRequestedDate: v.requestedAt,
    Runs: v.runs.map(desRun),
    NextCursor: v.nextCursor,
  };
}

export const postRunNow = (req: Request, ctx: IdContext) =>
  apiRoute("POST profiles/{id}/run", req, async (actor) => desRefreshView(await runNow(db, actor, profileIdFrom((await ctx.params).id))), 202);

export const getRuns = (req: Request, ctx: IdContext) =>
  apiRoute("GET profiles/{id}/runs", req, async (actor) => {
    const url = new URL(req.url);
    const query = Object.fromEntries([...url.searchParams].filter(([k]) => k === "limit" || k === "before"));
    return desRefreshView(await getRefreshRuns(db, actor, profileIdFrom((await ctx.params).id), query));
  });
