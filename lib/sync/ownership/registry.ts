// Worker rows: every sync process (worker or CLI `sync`) registers itself and writes a heartbeat,
// so peers (and the portal's Workers page, /api/health, /api/metrics) know who is alive.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot } from "../../config/paths";
import type { Db } from "../../db";

export type WorkerRole = "worker" | "web+worker" | "cli";

let cachedVersion: string | null = null;
export function appVersion(): string {
  if (cachedVersion) return cachedVersion;
  try {
    const pkg = path.join(projectRoot(), "package.json");
    cachedVersion = (JSON.parse(fs.readFileSync(pkg, "utf8")) as { version: string }).version;
  } catch {
    cachedVersion = "unknown";
  }
  return cachedVersion;
}

export async function registerWorker(db: Db, role: WorkerRole, id = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`): Promise<string> {
  await db.worker.create({ data: { id, host: os.hostname(), pid: process.pid, version: appVersion(), role } });
  return id;
}

export async function heartbeat(db: Db, id: string, extra: { lockPid?: number | null; counters?: unknown } = {}): Promise<void> {
  await db.worker.update({
    where: { id },
    data: {
      heartbeatAt: new Date(),
      ...(extra.lockPid !== undefined ? { lockPid: extra.lockPid } : {}),
      ...(extra.counters !== undefined ? { counters: JSON.stringify(extra.counters) } : {}),
    },
  });
}

export async function markStopped(db: Db, id: string): Promise<void> {
  await db.worker.updateMany({ where: { id }, data: { stoppedAt: new Date(), heartbeatAt: new Date() } });
}

/** Ids of the workers (not CLI runs) whose heartbeat is fresh: they share the active profiles. */
export async function liveWorkerIds(db: Db, leaseMs: number, now = new Date()): Promise<string[]> {
  const rows = await db.worker.findMany({
    where: { stoppedAt: null, heartbeatAt: { gt: new Date(now.getTime() - leaseMs) }, role: { not: "cli" } },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/** Rows of processes gone for a day are removed: the Workers page shows recent history only. */
export async function pruneWorkers(db: Db, olderThanMs = 24 * 3600_000, now = new Date()): Promise<void> {
  await db.worker.deleteMany({ where: { heartbeatAt: { lt: new Date(now.getTime() - olderThanMs) } } });
}
