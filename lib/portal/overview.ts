import "server-only";
import type { Db } from "../db";

export interface Overview {
  organizations: number;
  profiles: { total: number; byState: Record<string, number> };
  failuresLast24h: number;
}

export async function getOverview(db: Db): Promise<Overview> {
  const since = new Date(Date.now() - 24 * 60 * 60 * 1000);
  const [organizations, states, failuresLast24h] = await Promise.all([
    db.organization.count(),
    db.profile.groupBy({ by: ["state"], _count: { _all: true } }),
    db.failure.count({ where: { notificationTime: { gte: since } } }),
  ]);
  const byState: Record<string, number> = {};
  for (const s of states) byState[s.state] = s._count._all;
  return { organizations, profiles: { total: states.reduce((n, s) => n + s._count._all, 0), byState }, failuresLast24h };
}
