// The outer supervisor: restarts a failed job after a backoff chosen by the one error
// classifier, each time with fresh connections (the runner opens its own source and target).
import type { Db } from "../db";
import { runProfile, type ProfileRunResult, type RunnerDeps } from "./profile-runner";
import { setProfileState } from "./profile-store";
import { backoffDelayMs, classifyError, errorText, isAbort, sleep } from "./retry-policy";
import { silentLog, type Logger } from "./table-pipeline";

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
      if (o.signal.aborted && isAbort(err)) throw err;
      if (o.signal.aborted) throw err;
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
    await runWithRestarts<ProfileRunResult>(() => runProfile(profileId, deps, { signal }), {
      signal,
      log: deps.log,
      onFailure: (err) => setProfileState(deps.db, profileId, "failed", errorText(err)).catch(() => undefined),
    });
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

export interface WorkerOptions extends Omit<RunnerDeps, "db"> {
  db: Db;
  log?: Logger;
  /** How often the store is polled for profile changes (default 2000 ms). */
  pollMs?: number;
}

interface Running {
  version: number;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The long-lived worker the portal's start command runs in its own process: runs every profile
 * whose metadata or data is active, restarts a runner when its profile's version changes, stops
 * it when the profile is deactivated.
 */
export interface Worker {
  /** Ids of the profiles being run now. */
  running(): string[];
  stop(): Promise<void>;
}

export function startWorker(opts: WorkerOptions): Worker {
  const { db, pollMs = 2000, ...deps } = opts;
  const log = opts.log ?? silentLog;
  const running = new Map<string, Running>();
  const stopAll = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let polling: Promise<void> = Promise.resolve();

  const stopOne = async (id: string) => {
    const r = running.get(id);
    if (!r) return;
    running.delete(id);
    r.controller.abort();
    await r.done;
  };

  const poll = async () => {
    let active: { id: string; version: number; name: string }[];
    try {
      active = await db.profile.findMany({
        where: { OR: [{ metadataActive: true }, { dataActive: true }] },
        select: { id: true, version: true, name: true },
      });
    } catch (err) {
      log.error(`worker: cannot read profiles: ${errorText(err)}`);
      return;
    }
    const wanted = new Map(active.map((p) => [p.id, p]));
    for (const id of [...running.keys()]) {
      const p = wanted.get(id);
      if (!p || p.version !== running.get(id)!.version) await stopOne(id);
    }
    for (const p of active) {
      if (running.has(p.id) || stopAll.signal.aborted) continue;
      const controller = new AbortController();
      const prefixed: Logger = {
        info: (m) => log.info(`[${p.name}] ${m}`),
        warn: (m) => log.warn(`[${p.name}] ${m}`),
        error: (m) => log.error(`[${p.name}] ${m}`),
      };
      log.info(`worker: starting profile ${p.name} (v${p.version})`);
      const done = superviseProfile(p.id, { ...deps, db, log: prefixed }, controller.signal).catch((err) => {
        log.error(`worker: profile ${p.name} stopped: ${errorText(err)}`);
      });
      running.set(p.id, { version: p.version, controller, done });
    }
  };

  const loop = () => {
    if (stopAll.signal.aborted) return;
    polling = poll().finally(() => {
      if (!stopAll.signal.aborted) timer = setTimeout(loop, pollMs);
    });
  };
  loop();

  return {
    running: () => [...running.keys()],
    async stop() {
      stopAll.abort();
      if (timer) clearTimeout(timer);
      await polling;
      await Promise.all([...running.keys()].map(stopOne));
    },
  };
}
