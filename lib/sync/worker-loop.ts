// The long-lived worker: any number of them (and CLI runs) share one store. At each poll a worker
// takes the leases of active profiles that are free or whose owner went silent, up to its share
// (ceil(active / live workers), an organization's profiles preferring one worker), runs each under
// its fence, hands over profiles above its share when a worker joins, restarts a runner when its
// profile's version changes and stops it on deactivation. stop() is graceful: every runner
// finishes the page in flight and saves its checkpoint, then the leases are released, so a peer
// takes over at its next poll.
import type { Db } from "../db";
import { FencedError, fencedDb, fencedDestination, isFenced, type Fence } from "./ownership/fence";
import { listLeases } from "./ownership/lease";
import { planAssignment } from "./ownership/assign";
import { liveWorkerIds, type WorkerRole } from "./ownership/registry";
import { OwnershipSession } from "./ownership/session";
import type { OwnershipTimings } from "./ownership/config";
import { openProfileTarget, type RunnerDeps } from "./profile-runner";
import { errorText } from "./retry-policy";
import { startHousekeeping, type HousekeepingOptions } from "./retention";
import { superviseProfile } from "./supervisor";
import { silentLog, type Logger } from "./table-pipeline";
import { WorkerCounters, countingSourceFactory } from "./worker-counters";

export interface WorkerOptions extends Omit<RunnerDeps, "db"> {
  db: Db;
  log?: Logger;
  /** A logger carrying a profile's fields (structured logs); default: `[name] message` on `log`. */
  logFor?: (p: { profileId: string; profile: string }) => Logger;
  /** How often the store is polled for profile changes (default WORKER_POLL_MS or 2000 ms). */
  pollMs?: number;
  role?: WorkerRole;
  /** Lease and heartbeat timings (default from the environment). */
  timings?: Partial<OwnershipTimings>;
  /** Store URL (PostgreSQL: the advisory-lock session connects to it). */
  url?: string;
  counters?: WorkerCounters;
  /** Retention pruning (failure log, throughput stats); default from RETENTION_DAYS, hourly. */
  housekeeping?: HousekeepingOptions;
}

export interface Worker {
  /** Ids of the profiles being run now. */
  running(): string[];
  /** This process's Worker row id (null until registered). */
  id(): string | null;
  stop(): Promise<void>;
}

interface Running {
  version: number;
  fence: Fence;
  controller: AbortController;
  done: Promise<void>;
}

export function startWorker(opts: WorkerOptions): Worker {
  const { db, pollMs: pollOpt, role = "worker", timings, url, logFor: logForOpt, counters = new WorkerCounters(), housekeeping: housekeepingOpts, ...deps } = opts;
  const log = opts.log ?? silentLog;
  const logFor =
    logForOpt ??
    ((p: { profile: string }): Logger => ({
      info: (m) => log.info(`[${p.profile}] ${m}`),
      warn: (m) => log.warn(`[${p.profile}] ${m}`),
      error: (m) => log.error(`[${p.profile}] ${m}`),
    }));
  const running = new Map<string, Running>();
  const stopAll = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let polling: Promise<void> = Promise.resolve();
  let session: OwnershipSession | null = null;
  const ready = OwnershipSession.open(db, {
    role, timings: { ...timings, ...(pollOpt ? { pollMs: pollOpt } : {}) }, url, log,
    counters: () => counters.snapshot(),
    onAcquired: (_id, _epoch, takeover) => {
      counters.acquisitions++;
      if (takeover) counters.takeovers++;
    },
  }).then((s) => (session = s));
  ready.catch((err) => log.error(`worker: cannot register in the store: ${errorText(err)}`));

  const stopOne = async (id: string, why: string) => {
    const r = running.get(id);
    if (!r) return;
    running.delete(id);
    log.info(`worker: stopping profile ${id} (${why})`);
    r.controller.abort();
    await r.done;
  };

  const startRunner = (p: { id: string; version: number; name: string }, fence: Fence) => {
    const controller = new AbortController();
    const plog = logFor({ profileId: p.id, profile: p.name });
    fence.onTrip((reason) => {
      counters.fenced += reason === "released" ? 0 : 1;
      if (reason !== "released") plog.warn(`fenced: ${reason}; this runner stops and writes nothing more`);
      controller.abort(new FencedError(reason));
    });
    const open = deps.openTarget ?? openProfileTarget;
    const runDeps: RunnerDeps = {
      ...deps,
      db: fencedDb(db, fence),
      log: plog,
      openTarget: async (row) => fencedDestination(await open(row), fence, db),
      sourceFactory: countingSourceFactory(deps.sourceFactory, p.name, counters),
    };
    plog.info(`worker: running profile ${p.name} (v${p.version}, epoch ${fence.epoch})`);
    const done = superviseProfile(p.id, runDeps, controller.signal).catch((err) => {
      if (!isFenced(err)) plog.error(`worker: profile ${p.name} stopped: ${errorText(err)}`);
    });
    running.set(p.id, { version: p.version, fence, controller, done });
  };

  const poll = async () => {
    const s = session ?? (await ready.catch(() => null));
    if (!s || stopAll.signal.aborted) return;
    // Runners whose lease was lost stop at once (their fence aborted them); forget them.
    for (const [id, r] of [...running]) {
      if (!r.fence.tripped) continue;
      running.delete(id);
      await r.done;
      await s.release(id);
    }
    let active: { id: string; version: number; name: string; organizationId: string }[];
    let live: string[];
    let leases: Awaited<ReturnType<typeof listLeases>>;
    try {
      active = await db.profile.findMany({
        where: { OR: [{ metadataActive: true }, { dataActive: true }] },
        select: { id: true, version: true, name: true, organizationId: true },
      });
      live = await liveWorkerIds(db, s.timings.leaseMs);
      leases = await listLeases(db);
    } catch (err) {
      log.error(`worker: cannot read profiles: ${errorText(err)}`);
      return;
    }
    const wanted = new Map(active.map((p) => [p.id, p]));
    for (const id of [...running.keys()]) {
      const p = wanted.get(id);
      if (!p) {
        await stopOne(id, "deactivated");
        await s.release(id);
      } else if (p.version !== running.get(id)!.version) {
        const fence = running.get(id)!.fence;
        await stopOne(id, `version ${p.version}`);
        if (!fence.tripped && !stopAll.signal.aborted) startRunner(p, fence);
      }
    }
    const plan = planAssignment({
      me: s.id,
      now: new Date(),
      active,
      leases: new Map(leases.map((l) => [l.profileId, l])),
      liveWorkers: live,
      held: [...running.keys()],
    });
    for (const id of plan.release) {
      await stopOne(id, `handing over: more than ${plan.cap} profiles for ${live.length} workers`);
      await s.release(id);
    }
    const attempts = [...plan.acquire.map((id) => ({ id, probe: false })), ...(s.canProbe ? plan.probe.map((id) => ({ id, probe: true })) : [])];
    for (const { id, probe } of attempts) {
      if (stopAll.signal.aborted) return;
      if (!probe && running.size >= plan.cap) continue;
      let fence: Fence | null;
      try {
        fence = await s.tryAcquire(id, { probe });
      } catch (err) {
        log.warn(`worker: could not take profile ${wanted.get(id)?.name}: ${errorText(err)}`);
        continue;
      }
      if (fence) startRunner(wanted.get(id)!, fence);
    }
  };

  const loop = () => {
    if (stopAll.signal.aborted) return;
    polling = poll()
      .catch((err) => log.error(`worker: poll failed: ${errorText(err)}`))
      .finally(() => {
        if (!stopAll.signal.aborted) timer = setTimeout(loop, session?.timings.pollMs ?? pollOpt ?? 2000);
      });
  };
  loop();
  const housekeeping = startHousekeeping(db, log, housekeepingOpts);

  return {
    running: () => [...running.keys()],
    id: () => session?.id ?? null,
    async stop() {
      stopAll.abort();
      if (timer) clearTimeout(timer);
      await polling;
      await housekeeping.stop();
      await Promise.all([...running.keys()].map((id) => stopOne(id, "worker stopping")));
      const s = session ?? (await ready.catch(() => null));
      await s?.close();
    },
  };
}
