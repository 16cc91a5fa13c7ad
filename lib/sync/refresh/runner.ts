// The runner of a scheduled lake export (refresh every N hours or on a cron expression). Between
// runs it makes no Dataverse traffic: it only looks at the store (its own schedule and "Run now"
// requests) until a run is due. A run is one pass of the ordinary engine (runProfile with `once`:
// metadata, then each table's changes since its saved delta link, written and committed — the
// lake's held commits are committed before each checkpoint), recorded as a RefreshRun row.
// Ownership is unchanged: the worker starts this under the profile's lease and fence.
import { runProfile, type RunnerDeps } from "../profile-runner";
import { setProfileState } from "../profile-store";
import { errorText, isAbort, sleep } from "../retry-policy";
import { isFenced } from "../ownership/fence";
import { TargetChangedError } from "../target-identity";
import { silentLog } from "../table-pipeline";
import { nextAfterRun, nextRefreshAt, describeRefresh } from "./schedule";
import { closeInterruptedRuns, finishRun, loadRefreshState, setNextRefresh, startRun, type RefreshTrigger } from "./store";

/** Time as the scheduled runner sees it (tests move it; the alert evaluator's `now` is the same idea). */
export interface RefreshClock {
  now(): Date;
}
export const systemClock: RefreshClock = { now: () => new Date() };

export interface DueRun {
  trigger: RefreshTrigger;
  dueAt: Date;
  requestedBy: string | null;
}

export interface RefreshDeps {
  clock?: RefreshClock;
  /** How often the store is looked at for a due time or a "Run now" (default 2000 ms). */
  refreshPollMs?: number;
}

/** Waits, looking only at the store, until a "Run now" is filed or the schedule is due. */
export async function waitForDueRun(deps: RunnerDeps, profileId: string, signal: AbortSignal): Promise<DueRun> {
  const clock = deps.clock ?? systemClock;
  const wait = deps.sleep ?? sleep;
  const pollMs = deps.refreshPollMs ?? 2000;
  for (;;) {
    const s = await loadRefreshState(deps.db, profileId);
    if (!s) throw new Error(`Profile ${profileId} was deleted.`);
    if (s.requestedAt) return { trigger: "manual", dueAt: s.requestedAt, requestedBy: s.requestedBy };
    const now = clock.now();
    let nextAt = s.nextAt;
    if (!nextAt) {
      // A schedule saved without its next time (older rows): the first one from now.
      nextAt = nextRefreshAt(s.schedule, now);
      await setNextRefresh(deps.db, profileId, nextAt);
    }
    if (nextAt && nextAt.getTime() <= now.getTime()) return { trigger: "schedule", dueAt: nextAt, requestedBy: null };
    const untilDue = nextAt ? nextAt.getTime() - now.getTime() : pollMs;
    await wait(Math.max(1, Math.min(pollMs, untilDue)), signal);
  }
}

/**
 * One engine pass; a target found changed under the runner (its export marker) is what the
 * continuous supervisor answers with a restart: here the pass starts again at once, a few times.
 */
async function runChangedTargetAware(profileId: string, deps: RunnerDeps, signal: AbortSignal) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runProfile(profileId, deps, { signal, once: true });
    } catch (err) {
      if (!(err instanceof TargetChangedError) || attempt >= 3 || signal.aborted) throw err;
      (deps.log ?? silentLog).warn(`refresh: ${errorText(err)} (pass ${attempt}; starting it again)`);
    }
  }
}

/** Runs one due refresh and records it; never throws for a failed run (it is in the history). */
export async function runOnce(deps: RunnerDeps, profileId: string, due: DueRun, signal: AbortSignal): Promise<{ result: "succeeded" | "failed"; rowsWritten: number; message: string | null }> {
  const { db } = deps;
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? silentLog;
  const runId = await startRun(db, profileId, { ...due, startedAt: clock.now() });
  log.info(`refresh (${due.trigger}) started`);
  let outcome: { result: "succeeded" | "failed"; rowsWritten: number; message: string | null };
  try {
    const r = await runChangedTargetAware(profileId, deps, signal);
    const rowsWritten = r.tables.reduce((n, t) => n + t.upserts + t.deletes, 0);
    const failed = r.tables.filter((t) => t.state === "Failed");
    outcome = failed.length
      ? { result: "failed", rowsWritten, message: failed.map((t) => `${t.logicalName}: ${t.error ?? "failed"}`).join("; ") }
      : { result: "succeeded", rowsWritten, message: null };
  } catch (err) {
    if (signal.aborted || isAbort(err) || isFenced(err)) {
      // Stopped (deactivated, edited, worker stopping, taken over): the next runner finds the row
      // still running and closes it; the schedule has not moved, so the run happens again.
      throw err;
    }
    outcome = { result: "failed", rowsWritten: 0, message: errorText(err) };
    await setProfileState(db, profileId, "failed", errorText(err)).catch(() => undefined);
  }
  await finishRun(db, runId, { endedAt: clock.now(), ...outcome });
  log.info(`refresh (${due.trigger}) ${outcome.result}: ${outcome.rowsWritten} row(s)${outcome.message ? ` — ${outcome.message}` : ""}`);
  if (due.trigger === "schedule") {
    const s = await loadRefreshState(db, profileId);
    if (s) await setNextRefresh(db, profileId, nextAfterRun(s.schedule, due.dueAt, clock.now()));
  }
  return outcome;
}

/** The scheduled runner: wait for a due run, run it, record it, until `signal`. */
export async function runScheduledProfile(profileId: string, deps: RunnerDeps, signal: AbortSignal): Promise<void> {
  const log = deps.log ?? silentLog;
  const clock = deps.clock ?? systemClock;
  const closed = await closeInterruptedRuns(deps.db, profileId, clock.now());
  if (closed) log.warn(`refresh: ${closed} run(s) left running by a stopped worker marked failed`);
  const first = await loadRefreshState(deps.db, profileId);
  if (first) log.info(`refresh ${describeRefresh(first.schedule)}; next run ${first.nextAt?.toISOString() ?? "not set"}`);
  // Waiting for the first run is not an error or an activation in progress.
  await deps.db.profile.updateMany({ where: { id: profileId, state: "activating" }, data: { state: "active" } });
  try {
    for (;;) {
      const due = await waitForDueRun(deps, profileId, signal);
      await runOnce(deps, profileId, due, signal);
    }
  } catch (err) {
    if (signal.aborted || isAbort(err)) return;
    throw err;
  }
}
