// GET /api/health (no session; load balancers, the start script, monitoring). Two questions:
// can the portal reach its store, and is some live worker exporting the active profiles?
// 503 with a reason when the store is unreachable, or when profiles are active and no worker's
// heartbeat is fresh (the export has stopped). `?scope=store` asks only the first question
// (a web-only process is "up" when it reaches its store, wherever the workers run).
import type { Db } from "./db";
import { ownershipTimings } from "./sync/ownership/config";

export interface WorkerLiveness {
  live: number;
  /** Workers that stopped heartbeating without a clean stop (killed, hung, host lost). */
  dead: { id: string; host: string; pid: number; silentForSeconds: number }[];
  activeProfiles: number;
}

export type Health =
  | { status: "ok"; store: "ok"; workers?: WorkerLiveness }
  | { status: "unavailable"; reason: string; store: "ok" | "unreachable"; workers?: WorkerLiveness };

/** Dead workers older than this are history, not news: health stops naming them. */
const DEAD_REPORT_WINDOW_MS = 3600_000;

export async function checkHealth(o: { db?: Db; scope?: "store" | "all"; now?: Date; leaseMs?: number } = {}): Promise<Health> {
  const db = o.db ?? (await import("./db")).db;
  try {
    await db.$queryRawUnsafe("SELECT 1");
  } catch (err) {
    console.error("[health] portal store unreachable", err);
    return { status: "unavailable", store: "unreachable", reason: "The portal store (database) cannot be reached." };
  }
  if (o.scope === "store") return { status: "ok", store: "ok" };
  const now = o.now ?? new Date();
  const leaseMs = o.leaseMs ?? ownershipTimings().leaseMs;
  const freshSince = new Date(now.getTime() - leaseMs);
  const [activeProfiles, workers] = await Promise.all([
    db.profile.count({ where: { OR: [{ metadataActive: true }, { dataActive: true }] } }),
    db.worker.findMany({
      where: { role: { not: "cli" }, stoppedAt: null, heartbeatAt: { gt: new Date(now.getTime() - DEAD_REPORT_WINDOW_MS) } },
      select: { id: true, host: true, pid: true, heartbeatAt: true },
      orderBy: { heartbeatAt: "desc" },
    }),
  ]);
  const live = workers.filter((w) => w.heartbeatAt > freshSince).length;
  const dead = workers
    .filter((w) => w.heartbeatAt <= freshSince)
    .map((w) => ({ id: w.id, host: w.host, pid: w.pid, silentForSeconds: Math.round((now.getTime() - w.heartbeatAt.getTime()) / 1000) }));
  const liveness: WorkerLiveness = { live, dead, activeProfiles };
  if (activeProfiles > 0 && live === 0) {
    const last = dead[0] ? ` Last seen: worker ${dead[0].id} on ${dead[0].host} (pid ${dead[0].pid}), silent for ${dead[0].silentForSeconds} s.` : "";
    return {
      status: "unavailable",
      store: "ok",
      workers: liveness,
      reason: `No live sync worker: ${activeProfiles} active profile${activeProfiles === 1 ? " is" : "s are"} not being exported. Start one (npm start, or npm start -- --worker).${last}`,
    };
  }
  return { status: "ok", store: "ok", workers: liveness };
}
