// The outer supervisor: restarts a failed job after a backoff chosen by the one error
// classifier, each time with fresh connections (the runner opens its own source and target).
import { runProfile, type ProfileRunResult, type RunnerDeps } from "./profile-runner";
import { setProfileState } from "./profile-store";
import { backoffDelayMs, classifyError, errorText, isAbort, sleep } from "./retry-policy";
import { silentLog, type Logger } from "./table-pipeline";
import { isFenced } from "./ownership/fence";
import { runScheduledProfile } from "./refresh/runner";
import { isScheduled } from "./refresh/store";
import { AuthenticationError } from "../dataverse/errors";

/** Dataverse or Entra ID refused the organization's credentials (wrong, expired, missing, no access). */
export function isCredentialError(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof AuthenticationError || (e as { name?: unknown }).name === "AuthenticationError") return true;
  }
  return false;
}

export interface RestartOptions {
  signal: AbortSignal;
  log?: Logger;
  /** Give up after this many failed attempts (default: never). */
  maxAttempts?: number;
  /** Give up at once on configuration errors (bad credentials, bad URL). */
  failFastOnConfig?: boolean;
  /** Called after each failure with the delay chosen. */
  onFailure?: (err: unknown, attempt: number, delayMs: number) => Promise<void> | void;
  /** A run that lasted this long resets the backoff (default 60 s). */
  healthyAfterMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class GaveUpError extends Error {
  constructor(readonly last: unknown, attempts: number) {
    super(`${errorText(last)} (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"})`, { cause: last });
    this.name = "GaveUpError";
  }
}

/** Runs `job` until it returns; restarts it after failures with the classified backoff. */
export async function runWithRestarts<T>(job: (attempt: number) => Promise<T>, o: RestartOptions): Promise<T> {
  const log = o.log ?? silentLog;
  const wait = o.sleep ?? sleep;
  let attempt = 0;
  for (;;) {
    const started = Date.now();
    try {
      return await job(attempt);
    } catch (err) {
      if (o.signal.aborted) throw err;
      // Another runner took the profile over: stop for good, write nothing more.
      if (isFenced(err)) throw err;
      if (Date.now() - started > (o.healthyAfterMs ?? 60_000)) attempt = 0;
      attempt++;
      const cls = classifyError(err);
      if ((o.failFastOnConfig && cls === "config") || (o.maxAttempts !== undefined && attempt >= o.maxAttempts)) {
        throw new GaveUpError(err, attempt);
      }
      const delay = backoffDelayMs(err, attempt);
      log.warn(`${errorText(err)} — restarting in ${(delay / 1000).toFixed(1)} s (attempt ${attempt}, ${cls})`);
      await o.onFailure?.(err, attempt, delay);
      await wait(delay, o.signal);
    }
  }
}

/** Keeps one profile running until `signal`, restarting it after failures (portal worker). */
export async function superviseProfile(profileId: string, deps: RunnerDeps, signal: AbortSignal): Promise<void> {
  try {
    // A lake export refreshed on a schedule waits between runs instead of looping (refresh/runner.ts).
    await runWithRestarts<ProfileRunResult | void>(async () => ((await isScheduled(deps.db, profileId)) ? runScheduledProfile(profileId, deps, signal) : runProfile(profileId, deps, { signal })), {
      signal,
      log: deps.log,
      onFailure: (err) => setProfileState(deps.db, profileId, "failed", errorText(err), isCredentialError(err) ? "credentials" : null).catch(() => undefined),
    });
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

// The worker (leases, fencing, hand-over) lives in worker-loop.ts; re-exported for existing importers.
export { startWorker, type Worker, type WorkerOptions } from "./worker-loop";
