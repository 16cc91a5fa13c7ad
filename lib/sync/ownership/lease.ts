// The ownership record of a profile (ProfileLease: owner, epoch, expiry), taken, renewed and
// released by compare-and-set in the store, so it works the same on SQLite (processes of one
// host) and PostgreSQL (many hosts). Taking a lease increments the profile's fencing epoch in
// the same transaction and appends to the LeaseEvent history.
import type { Db } from "../../db";

export interface Lease {
  profileId: string;
  ownerId: string | null;
  epoch: number;
  expiresAt: Date;
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown })?.code === "P2002";
}

/** The lease row is created lazily (a profile created before ownership existed has none). */
async function ensureLeaseRow(db: Db, profileId: string): Promise<void> {
  const exists = await db.profileLease.findUnique({ where: { profileId }, select: { profileId: true } });
  if (exists) return;
  try {
    await db.profileLease.create({ data: { profileId, ownerId: null, epoch: 0, expiresAt: new Date(0) } });
  } catch (err) {
    // Another process created it first: fine. A deleted profile fails the foreign key: let the CAS say no.
    if (!isUniqueViolation(err) && !/foreign key/i.test(String((err as Error)?.message))) throw err;
  }
}

export interface AcquireOptions {
  leaseMs: number;
  now?: Date;
  /**
   * Take the lease even if it has not expired. Only when the caller holds the profile's
   * PostgreSQL advisory lock: then no other owner's session is alive.
   */
  force?: boolean;
  /** Take the lease from this owner even if it has not expired: its process is known to be dead. */
  takeFrom?: string;
}

/**
 * Compare-and-set: takes the lease when it is free or expired. Returns the new epoch, or null
 * when another owner holds it.
 */
export async function acquireLease(db: Db, profileId: string, ownerId: string, o: AcquireOptions): Promise<{ epoch: number; takeover: boolean } | null> {
  await ensureLeaseRow(db, profileId);
  const now = o.now ?? new Date();
  return db.$transaction(async (tx) => {
    // A write first: the transaction holds SQLite's write lock (or the PostgreSQL row lock) before it reads.
    await tx.$executeRaw`UPDATE "ProfileLease" SET "epoch" = "epoch" WHERE "profileId" = ${profileId}`;
    const before = await tx.profileLease.findUnique({ where: { profileId }, select: { ownerId: true, epoch: true, expiresAt: true } });
    if (!before) return null;
    const free = o.force ? {} : { OR: [{ ownerId: null }, { expiresAt: { lt: now } }, ...(o.takeFrom ? [{ ownerId: o.takeFrom }] : [])] };
    // The condition includes what was read: a concurrent taker that got there first makes this match nothing.
    const cas = await tx.profileLease.updateMany({
      where: { profileId, epoch: before.epoch, ownerId: before.ownerId, ...free },
      data: { ownerId, expiresAt: new Date(now.getTime() + o.leaseMs), acquiredAt: now },
    });
    if (cas.count !== 1) return null;
    const p = await tx.profile.update({ where: { id: profileId }, data: { epoch: { increment: 1 } }, select: { epoch: true } });
    await tx.profileLease.update({ where: { profileId }, data: { epoch: p.epoch } });
    const takeover = before.ownerId !== null && before.ownerId !== ownerId;
    await tx.leaseEvent.create({ data: { profileId, epoch: p.epoch, ownerId, kind: takeover ? "takeover" : "acquired", at: now } });
    return { epoch: p.epoch, takeover };
  }, { maxWait: 30_000, timeout: 60_000 });
}

/** Extends a lease still held at `epoch`; false when it was lost (taken over, or the profile deleted). */
export async function renewLease(db: Db, profileId: string, ownerId: string, epoch: number, leaseMs: number, now = new Date()): Promise<boolean> {
  const r = await db.profileLease.updateMany({ where: { profileId, ownerId, epoch }, data: { expiresAt: new Date(now.getTime() + leaseMs) } });
  return r.count === 1;
}

/** Gives the lease back (graceful stop, hand-over): a peer can take it at its next poll. */
export async function releaseLease(db: Db, profileId: string, ownerId: string, epoch: number): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const r = await tx.profileLease.updateMany({ where: { profileId, ownerId, epoch }, data: { ownerId: null, expiresAt: new Date(0) } });
    if (r.count === 1) await tx.leaseEvent.create({ data: { profileId, epoch, ownerId, kind: "released" } });
    return r.count === 1;
  }, { maxWait: 30_000, timeout: 60_000 });
}

export async function listLeases(db: Db): Promise<Lease[]> {
  return db.profileLease.findMany({ select: { profileId: true, ownerId: true, epoch: true, expiresAt: true } });
}

/** The live owner of a profile (lease not expired), with its process, or null. */
export async function currentOwner(db: Db, profileId: string, now = new Date()) {
  const l = await db.profileLease.findUnique({
    where: { profileId },
    select: { epoch: true, expiresAt: true, owner: { select: { id: true, host: true, pid: true, role: true, heartbeatAt: true } } },
  });
  if (!l?.owner || l.expiresAt <= now) return null;
  return { ...l.owner, epoch: l.epoch, expiresAt: l.expiresAt };
}
