// Which profiles a worker should take or hand over at a poll. Pure: the worker feeds it what it
// read from the store. Rules: a profile is runnable when its lease is free or expired; each live
// worker runs at most cap = ceil(active / live workers); an organization's profiles prefer the
// worker that already runs some of them (they share its Dataverse client's 429 back-off).

export interface AssignInput {
  me: string;
  now: Date;
  /** Profiles whose metadata or data is active. */
  active: { id: string; organizationId: string }[];
  /** Lease rows by profile id. */
  leases: Map<string, { ownerId: string | null; expiresAt: Date }>;
  /** Workers with a fresh heartbeat, me included. */
  liveWorkers: string[];
  /** Profiles this worker runs now. */
  held: string[];
}

export interface AssignPlan {
  cap: number;
  /** In order of preference; the worker tries them until it holds `cap`. */
  acquire: string[];
  /** Over the cap: hand these over (stop, release). */
  release: string[];
  /**
   * Profiles another worker holds an unexpired lease on. On PostgreSQL the
   * worker tries their advisory locks: obtaining one proves that owner's session is gone
   * (killed process, lost host); on SQLite it checks that the owner's pid still exists on this
   * host. Either way the takeover need not wait for the lease to expire.
   */
  probe: string[];
}

export function planAssignment(i: AssignInput): AssignPlan {
  const live = new Set(i.liveWorkers);
  live.add(i.me);
  const cap = Math.max(1, Math.ceil(i.active.length / live.size));
  const held = new Set(i.held);
  const orgOf = new Map(i.active.map((p) => [p.id, p.organizationId]));
  const ownerOf = (id: string): string | null => {
    if (held.has(id)) return i.me;
    const l = i.leases.get(id);
    return l && l.ownerId && l.expiresAt > i.now ? l.ownerId : null;
  };
  // Live holdings per worker and the organizations each runs.
  const count = new Map<string, number>();
  const orgWorkers = new Map<string, Set<string>>();
  for (const p of i.active) {
    const o = ownerOf(p.id);
    if (!o) continue;
    count.set(o, (count.get(o) ?? 0) + 1);
    if (!orgWorkers.has(p.organizationId)) orgWorkers.set(p.organizationId, new Set());
    orgWorkers.get(p.organizationId)!.add(o);
  }
  const mine = count.get(i.me) ?? 0;

  const free = i.active.filter((p) => ownerOf(p.id) === null);
  const rank = (p: { id: string; organizationId: string }): number | null => {
    const workers = orgWorkers.get(p.organizationId);
    if (!workers || workers.size === 0) return 1; // nobody runs this organization yet
    if (workers.has(i.me)) return 0; // mine already: same back-off
    // Another live worker runs this organization: leave it to that worker while it has room.
    const roomElsewhere = [...workers].some((w) => w !== i.me && live.has(w) && (count.get(w) ?? 0) < cap);
    return roomElsewhere ? null : 2;
  };
  const acquire = free
    .map((p) => ({ p, r: rank(p) }))
    .filter((x): x is { p: { id: string; organizationId: string }; r: number } => x.r !== null)
    .sort((a, b) => a.r - b.r || a.p.id.localeCompare(b.p.id))
    .map((x) => x.p.id)
    .slice(0, Math.max(0, cap - mine));

  // Over the cap (a worker joined): hand over profiles of the organizations I run least of.
  let release: string[] = [];
  if (mine > cap) {
    const mineByOrg = new Map<string, number>();
    for (const id of held) if (orgOf.has(id)) mineByOrg.set(orgOf.get(id)!, (mineByOrg.get(orgOf.get(id)!) ?? 0) + 1);
    release = [...held]
      .filter((id) => orgOf.has(id))
      .sort((a, b) => mineByOrg.get(orgOf.get(a)!)! - mineByOrg.get(orgOf.get(b)!)! || b.localeCompare(a))
      .slice(0, mine - cap);
  }
  // Not bounded by the cap: a dead worker still counts as live until its heartbeat ages, which
  // would leave no room for exactly the takeover the probe is for. Rebalancing evens out later.
  const probe = i.active.filter((p) => { const o = ownerOf(p.id); return o !== null && o !== i.me; }).map((p) => p.id);
  return { cap, acquire, release, probe };
}
