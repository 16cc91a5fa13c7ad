// GET /api/metrics: Prometheus text, built at each scrape from the store (prom-client, a fresh
// registry per scrape). The store holds what every process shares (records synced, failures,
// lag, lease takeovers, worker liveness); what only a worker's memory knows (pages read, 429s)
// arrives through Worker.counters, refreshed with each heartbeat, one series per worker.
// Protected by a bearer token: METRICS_TOKEN (a separate secret, so a scraper needs no API role).
import crypto from "node:crypto";
import { Counter, Gauge, Registry } from "prom-client";
import type { Db } from "../db";
import type { CounterSnapshot } from "../sync/worker-counters";
import { ownershipTimings } from "../sync/ownership/config";

export interface MetricsResponse {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

/** Constant-time comparison of `Authorization: Bearer <token>` with METRICS_TOKEN. */
export function authorizeMetrics(authorization: string | null, expected = process.env.METRICS_TOKEN): MetricsResponse | null {
  const text = (status: number, body: string, headers?: Record<string, string>): MetricsResponse => ({ status, contentType: "text/plain; charset=utf-8", body: `${body}\n`, headers });
  if (!expected) return text(403, "Metrics are off: set METRICS_TOKEN on the portal and send it as a bearer token.");
  const given = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim() ?? "";
  const a = crypto.createHash("sha256").update(given).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  if (!given || !crypto.timingSafeEqual(a, b)) return text(401, "A bearer token (METRICS_TOKEN) is required.", { "WWW-Authenticate": 'Bearer realm="metrics"' });
  return null;
}

function parseCounters(json: string | null): CounterSnapshot | null {
  if (!json) return null;
  try {
    return JSON.parse(json) as CounterSnapshot;
  } catch {
    return null;
  }
}

export async function renderMetrics(db: Db, now = new Date()): Promise<string> {
  const reg = new Registry();
  const leaseMs = ownershipTimings().leaseMs;
  const records = new Counter({ name: "dvx_records_synced_total", help: "Records written to the target (upserts and deletes), per profile and table.", labelNames: ["profile", "table"], registers: [reg] });
  const failures = new Counter({ name: "dvx_record_failures_total", help: "Records that failed after their retries (failure log entries), per profile and table.", labelNames: ["profile", "table"], registers: [reg] });
  const lag = new Gauge({ name: "dvx_table_lag_seconds", help: "Seconds since the last completed sync cycle of a table in delta sync.", labelNames: ["profile", "table"], registers: [reg] });
  const pages = new Counter({ name: "dvx_pages_read_total", help: "Change pages read from Dataverse, per worker process, profile and table.", labelNames: ["worker", "profile", "table"], registers: [reg] });
  const throttled = new Counter({ name: "dvx_throttled_total", help: "HTTP 429 answers from Dataverse, per worker process and profile.", labelNames: ["worker", "profile"], registers: [reg] });
  const takeovers = new Counter({ name: "dvx_lease_takeovers_total", help: "Times a profile was taken over from an owner that went silent.", labelNames: ["profile"], registers: [reg] });
  const acquisitions = new Counter({ name: "dvx_lease_acquisitions_total", help: "Times a profile's lease was taken (start, hand-over, takeover).", labelNames: ["profile"], registers: [reg] });
  const fenced = new Counter({ name: "dvx_fenced_runners_total", help: "Runners stopped because another took their profile over, per worker process.", labelNames: ["worker"], registers: [reg] });
  const heartbeat = new Gauge({ name: "dvx_worker_heartbeat_age_seconds", help: "Seconds since each running process's last heartbeat.", labelNames: ["worker", "host", "role"], registers: [reg] });
  const live = new Gauge({ name: "dvx_workers_live", help: "Worker processes with a fresh heartbeat.", registers: [reg] });
  const active = new Gauge({ name: "dvx_profiles_active", help: "Profiles whose metadata or data is active.", registers: [reg] });
  const owned = new Gauge({ name: "dvx_profile_owned", help: "1 when a live process holds the profile's lease.", labelNames: ["profile"], registers: [reg] });

  const [profiles, workers, events] = await Promise.all([
    db.profile.findMany({
      select: {
        name: true, state: true, metadataActive: true, dataActive: true, lastSyncAt: true,
        lease: { select: { ownerId: true, expiresAt: true } },
        tables: { where: { enabled: true }, select: { logicalName: true, successNotifications: true, failureNotifications: true, initialSyncState: true } },
      },
    }),
    db.worker.findMany({ where: { stoppedAt: null, heartbeatAt: { gt: new Date(now.getTime() - 24 * 3600_000) } }, select: { id: true, host: true, role: true, heartbeatAt: true, counters: true } }),
    db.leaseEvent.groupBy({ by: ["profileId", "kind"], _count: { _all: true } }),
  ]);
  const names = new Map((await db.profile.findMany({ select: { id: true, name: true } })).map((p) => [p.id, p.name]));
  for (const p of profiles) {
    const isActive = p.metadataActive || p.dataActive;
    if (isActive) owned.set({ profile: p.name }, p.lease?.ownerId && p.lease.expiresAt > now ? 1 : 0);
    for (const t of p.tables) {
      const labels = { profile: p.name, table: t.logicalName };
      records.inc(labels, t.successNotifications);
      failures.inc(labels, t.failureNotifications);
      const inDelta = t.initialSyncState === "Completed" || t.initialSyncState === "CompletedWithFailures";
      if (p.dataActive && p.state === "active" && inDelta && p.lastSyncAt) lag.set(labels, Math.max(0, (now.getTime() - p.lastSyncAt.getTime()) / 1000));
    }
  }
  active.set(profiles.filter((p) => p.metadataActive || p.dataActive).length);
  for (const e of events) {
    const profile = names.get(e.profileId);
    if (!profile) continue;
    if (e.kind === "takeover") takeovers.inc({ profile }, e._count._all);
    if (e.kind === "takeover" || e.kind === "acquired") acquisitions.inc({ profile }, e._count._all);
  }
  let liveCount = 0;
  for (const w of workers) {
    const age = (now.getTime() - w.heartbeatAt.getTime()) / 1000;
    if (age * 1000 <= leaseMs && w.role !== "cli") liveCount++;
    heartbeat.set({ worker: w.id, host: w.host, role: w.role }, age);
    const c = parseCounters(w.counters);
    if (!c) continue;
    for (const x of c.pages ?? []) pages.inc({ worker: w.id, profile: x.profile, table: x.table }, x.n);
    for (const x of c.throttled ?? []) throttled.inc({ worker: w.id, profile: x.profile }, x.n);
    if (c.fenced) fenced.inc({ worker: w.id }, c.fenced);
  }
  live.set(liveCount);
  return reg.metrics();
}

export async function handleMetrics(db: Db, authorization: string | null): Promise<MetricsResponse> {
  const refused = authorizeMetrics(authorization);
  if (refused) return refused;
  return { status: 200, contentType: Registry.PROMETHEUS_CONTENT_TYPE, body: await renderMetrics(db) };
}
