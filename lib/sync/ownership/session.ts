// One process's side of the one-runner rule: its Worker row and heartbeat, the leases it holds
// (with their fences), renewal, hand-over, and on PostgreSQL the advisory-lock session.
// Used by the worker (many profiles) and by the CLI's `sync` (one profile).
import os from "node:os";
import type { Db } from "../../db";
import { errorText } from "../retry-policy";
import type { Logger } from "../table-pipeline";
import { ownershipTimings, storeProvider, type OwnershipTimings, type StoreProvider } from "./config";
import { Fence } from "./fence";
import { acquireLease, releaseLease, renewLease } from "./lease";
import { AdvisoryLocks } from "./pg-locks";
import { heartbeat, markStopped, pruneWorkers, registerWorker, type WorkerRole } from "./registry";
import { databaseUrl } from "../../config/paths";

export interface SessionOptions {
  role: WorkerRole;
  timings?: Partial<OwnershipTimings>;
  log?: Logger;
  /** Store URL (decides the provider; PostgreSQL opens the lock session on it). */
  url?: string;
  /** Published with each heartbeat (the web process's /api/metrics reads them). */
  counters?: () => unknown;
  /** A lease was taken over (a lease event). */
  onAcquired?: (profileId: string, epoch: number, takeover: boolean) => void;
}

export class OwnershipSession {
  readonly timings: OwnershipTimings;
  private readonly held = new Map<string, Fence>();
  private timer: NodeJS.Timeout | null = null;
  private lastRenewed = Date.now();
  private beating: Promise<void> = Promise.resolve();
  private closed = false;
  private locks: AdvisoryLocks | null = null;
  private locksLost = false;
  /** Profiles whose advisory lock this session holds (session locks count: never take one twice). */
  private readonly locked = new Set<string>();
  private readonly log: Logger;
  private readonly provider: StoreProvider;
  private readonly url: string;

  private constructor(readonly db: Db, readonly id: string, private readonly o: SessionOptions) {
    this.timings = ownershipTimings(o.timings);
    this.log = o.log ?? { info() {}, warn() {}, error() {} };
    this.url = o.url ?? databaseUrl();
    this.provider = storeProvider(this.url);
  }

  static async open(db: Db, o: SessionOptions): Promise<OwnershipSession> {
    const id = await registerWorker(db, o.role);
    const s = new OwnershipSession(db, id, o);
    if (s.provider === "postgresql") await s.connectLocks();
    await s.beat();
    s.timer = setInterval(() => void s.beatOnce(), s.timings.heartbeatMs);
    s.timer.unref?.();
    await pruneWorkers(db).catch(() => undefined);
    return s;
  }

  /**
   * A lease another owner holds can be probed: on PostgreSQL its advisory lock tells whether that
   * owner's session is alive; on SQLite (one host) whether the owner's process still exists.
   */
  get canProbe(): boolean {
    return true;
  }

  heldIds(): string[] {
    return [...this.held.keys()];
  }

  fenceOf(profileId: string): Fence | undefined {
    return this.held.get(profileId);
  }

  /** Takes a profile's lease when free (or its owner is dead); returns its fence, or null. */
  async tryAcquire(profileId: string, o: { probe?: boolean } = {}): Promise<Fence | null> {
    if (this.closed) return null;
    const existing = this.held.get(profileId);
    if (existing && !existing.tripped) return existing;
    if (existing) this.held.delete(profileId);
    let got: { epoch: number; takeover: boolean } | null;
    if (this.provider === "postgresql") {
      if (!this.locks || this.locksLost) return null;
      if (!this.locked.has(profileId)) {
        if (!(await this.locks.tryLock(profileId))) {
          if (!o.probe) await this.endSilentHolder(profileId);
          return null;
        }
        this.locked.add(profileId);
      }
      // Holding the lock: no other owner's session is alive, whatever the lease says.
      got = await acquireLease(this.db, profileId, this.id, { leaseMs: this.timings.leaseMs, force: true }).catch(async (err) => {
        await this.unlock(profileId);
        throw err;
      });
      if (!got) await this.unlock(profileId);
    } else {
      // One host (SQLite): an owner whose process is gone need not be waited for.
      const dead = await this.deadLocalOwner(profileId);
      if (o.probe && !dead) return null;
      got = await acquireLease(this.db, profileId, this.id, { leaseMs: this.timings.leaseMs, takeFrom: dead ?? undefined });
    }
    if (!got) return null;
    const fence = new Fence(profileId, got.epoch, this.id, this.provider, this.timings.leaseMs);
    this.held.set(profileId, fence);
    this.o.onAcquired?.(profileId, got.epoch, got.takeover);
    return fence;
  }

  /** Gives a lease back (after its runner stopped). */
  async release(profileId: string): Promise<void> {
    const fence = this.held.get(profileId);
    if (!fence) return;
    this.held.delete(profileId);
    if (!fence.tripped) await releaseLease(this.db, profileId, this.id, fence.epoch).catch((err) => this.log.warn(`could not release the lease of ${profileId}: ${errorText(err)}`));
    fence.trip("released");
    await this.unlock(profileId);
  }

  private async unlock(profileId: string): Promise<void> {
    if (!this.locked.delete(profileId)) return;
    if (this.locks && !this.locksLost) await this.locks.unlock(profileId).catch(() => undefined);
  }

  /** Renews every lease held and writes the heartbeat. A lease found lost trips its fence. */
  async beat(): Promise<void> {
    const started = Date.now();
    let allRenewed = true;
    for (const [profileId, fence] of this.held) {
      if (fence.tripped) continue;
      try {
        if (!(await renewLease(this.db, profileId, this.id, fence.epoch, this.timings.leaseMs))) fence.trip("the lease was taken over");
      } catch (err) {
        allRenewed = false;
        this.log.warn(`lease renewal failed: ${errorText(err)}`);
      }
    }
    await heartbeat(this.db, this.id, { lockPid: this.locks?.backendPid ?? null, counters: this.o.counters?.() });
    if (allRenewed) this.lastRenewed = started;
  }

  private beatOnce(): void {
    this.beating = this.beating.then(async () => {
      if (this.closed) return;
      try {
        if (this.locksLost) await this.connectLocks();
        await this.beat();
      } catch (err) {
        this.log.warn(`heartbeat failed: ${errorText(err)}`);
      }
      // Could not renew for a whole lease: a peer may run these profiles now.
      if (Date.now() - this.lastRenewed > this.timings.leaseMs) {
        for (const f of this.held.values()) f.trip(`the lease could not be renewed for ${Math.round((Date.now() - this.lastRenewed) / 1000)} s`);
      }
    });
  }

  private async connectLocks(): Promise<void> {
    this.locked.clear();
    this.locks = await AdvisoryLocks.connect(this.url, (err) => {
      this.locksLost = true;
      this.log.error(`the advisory-lock session was lost (${errorText(err)}): stopping every runner of this process`);
      for (const f of this.held.values()) f.trip("the advisory-lock session was lost");
    });
    this.locksLost = false;
  }

  /** The owner of an unexpired lease when it is a process of this host that no longer exists. */
  private async deadLocalOwner(profileId: string): Promise<string | null> {
    const l = await this.db.profileLease.findUnique({ where: { profileId }, select: { ownerId: true, expiresAt: true, owner: { select: { host: true, pid: true } } } });
    if (!l?.ownerId || !l.owner || l.expiresAt <= new Date()) return null;
    if (l.owner.host !== os.hostname() || l.owner.pid === process.pid) return null;
    try {
      process.kill(l.owner.pid, 0);
      return null; // alive (a reused pid only delays the takeover until the lease expires)
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "ESRCH" ? l.ownerId : null;
    }
  }

  /** The lock of a profile is held by another session: end it when its worker is silent. */
  private async endSilentHolder(profileId: string): Promise<void> {
    if (!this.locks) return;
    const pid = await AdvisoryLocks.holderPid(this.locks, profileId);
    if (pid === null) return;
    const holder = await this.db.worker.findFirst({ where: { lockPid: pid }, orderBy: { heartbeatAt: "desc" }, select: { id: true, heartbeatAt: true, stoppedAt: true } });
    const silent = !holder || holder.stoppedAt !== null || Date.now() - holder.heartbeatAt.getTime() > this.timings.leaseMs;
    if (!silent) return;
    if (await this.locks.terminate(pid)) this.log.warn(`ended the lock session (pid ${pid}) of silent worker ${holder?.id ?? "(unknown)"}`);
  }

  /** Releases every lease (runners must be stopped first) and marks the process stopped. */
  async close(): Promise<void> {
    for (const id of [...this.held.keys()]) await this.release(id);
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    await markStopped(this.db, this.id).catch(() => undefined);
    await this.locks?.close();
  }
}
