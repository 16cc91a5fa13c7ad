import "server-only";
// The Workers page and the owner shown on a profile (portal and REST status): which process runs
// what, read from the Worker rows and the leases. Any signed-in user may read it.
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import { ownershipTimings } from "../sync/ownership/config";

export type WorkerStatus = "live" | "silent" | "stopped";

export interface WorkerSummary {
  id: string;
  host: string;
  pid: number;
  version: string;
  role: string;
  status: WorkerStatus;
  startedAt: string;
  heartbeatAt: string;
  stoppedAt: string | null;
  profiles: { id: string; name: string; epoch: number }[];
}

export interface ProfileOwner {
  workerId: string;
  host: string;
  pid: number;
  role: string;
  epoch: number;
  heartbeatAt: string;
}

const RECENT_MS = 24 * 3600_000;

function statusOf(w: { stoppedAt: Date | null; heartbeatAt: Date }, now: number, leaseMs: number): WorkerStatus {
  if (w.stoppedAt) return "stopped";
  return now - w.heartbeatAt.getTime() <= leaseMs ? "live" : "silent";
}

/** Processes seen in the last day, live ones first, with the profiles each holds now. */
export async function listWorkers(db: Db, _actor: Actor, now = new Date()): Promise<WorkerSummary[]> {
  const leaseMs = ownershipTimings().leaseMs;
  const rows = await db.worker.findMany({
    where: { heartbeatAt: { gt: new Date(now.getTime() - RECENT_MS) } },
    select: {
      id: true, host: true, pid: true, version: true, role: true, startedAt: true, heartbeatAt: true, stoppedAt: true,
      leases: { where: { expiresAt: { gt: now } }, select: { epoch: true, profile: { select: { id: true, name: true } } } },
    },
    orderBy: [{ heartbeatAt: "desc" }],
  });
  const order: Record<WorkerStatus, number> = { live: 0, silent: 1, stopped: 2 };
  return rows
    .map((w) => ({
      id: w.id,
      host: w.host,
      pid: w.pid,
      version: w.version,
      role: w.role,
      status: statusOf(w, now.getTime(), leaseMs),
      startedAt: w.startedAt.toISOString(),
      heartbeatAt: w.heartbeatAt.toISOString(),
      stoppedAt: w.stoppedAt?.toISOString() ?? null,
      profiles: w.leases.map((l) => ({ id: l.profile.id, name: l.profile.name, epoch: l.epoch })).sort((a, b) => a.name.localeCompare(b.name)),
    }))
    .sort((a, b) => order[a.status] - order[b.status]);
}

/** What to select of a ProfileLease to tell its owner (ownerOfLease). */
export const LEASE_OWNER_SELECT = {
  epoch: true, expiresAt: true, owner: { select: { id: true, host: true, pid: true, role: true, heartbeatAt: true } },
} as const;

type LeaseWithOwner = {
  epoch: number;
  expiresAt: Date;
  owner: { id: string; host: string; pid: number; role: string; heartbeatAt: Date } | null;
};

/** The process a lease names while it is unexpired, or null. */
export function ownerOfLease(l: LeaseWithOwner | null | undefined, now = new Date()): ProfileOwner | null {
  if (!l?.owner || l.expiresAt <= now) return null;
  return { workerId: l.owner.id, host: l.owner.host, pid: l.owner.pid, role: l.owner.role, epoch: l.epoch, heartbeatAt: l.owner.heartbeatAt.toISOString() };
}

/** The process running a profile now (an unexpired lease), or null. */
export async function getProfileOwner(db: Db, profileId: string, now = new Date()): Promise<ProfileOwner | null> {
  return ownerOfLease(await db.profileLease.findUnique({ where: { profileId }, select: LEASE_OWNER_SELECT }), now);
}
