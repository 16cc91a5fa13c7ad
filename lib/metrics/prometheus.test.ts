// /api/metrics: refused without METRICS_TOKEN; the Prometheus text carries the store's figures
// and each worker's published counters.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db";
import { acquireLease } from "../sync/ownership/lease";
import { registerWorker } from "../sync/ownership/registry";
import { createProfile, makeStore } from "../sync/test-support";
import { authorizeMetrics, handleMetrics } from "./prometheus";

let db: Db;
let dir: string;
beforeAll(() => {
  ({ db, dir } = makeStore());
});
afterAll(() => db.$disconnect());

describe("metrics endpoint", () => {
  it("refuses without the token, with a wrong one, and when METRICS_TOKEN is not set", () => {
    expect(authorizeMetrics(null, undefined)?.status).toBe(403);
    expect(authorizeMetrics("Bearer anything", "")?.status).toBe(403);
    expect(authorizeMetrics(null, "s3cret")?.status).toBe(401);
    expect(authorizeMetrics("Bearer wrong", "s3cret")?.status).toBe(401);
    expect(authorizeMetrics("s3cret", "s3cret")?.status).toBe(401);
    expect(authorizeMetrics("Bearer s3cret", "s3cret")).toBeNull();
  });

  it("exports records, failures, lag, pages, 429s and lease takeovers", async () => {
    const id = await createProfile(db, { name: "m1", source: "http://127.0.0.1:9", target: `sqlite:${path.join(dir, "m.db")}`, tables: ["account"] });
    await db.profileTable.updateMany({ where: { profileId: id }, data: { successNotifications: 7, failureNotifications: 2, initialSyncState: "Completed" } });
    await db.profile.update({ where: { id }, data: { state: "active", lastSyncAt: new Date(Date.now() - 3000) } });
    const a = await registerWorker(db, "worker", "metrics-a");
    const b = await registerWorker(db, "worker", "metrics-b");
    await acquireLease(db, id, a, { leaseMs: 1000 });
    await acquireLease(db, id, b, { leaseMs: 10_000, now: new Date(Date.now() + 5000) });
    await db.worker.update({
      where: { id: b },
      data: { counters: JSON.stringify({ pages: [{ profile: "m1", table: "account", n: 3 }], throttled: [{ profile: "m1", n: 2 }], takeovers: 1, acquisitions: 1, fenced: 0 }) },
    });
    process.env.METRICS_TOKEN = "scrape-me";
    try {
      expect((await handleMetrics(db, null)).status).toBe(401);
      const r = await handleMetrics(db, "Bearer scrape-me");
      expect(r.status).toBe(200);
      expect(r.contentType).toMatch(/^text\/plain/);
      expect(r.body).toContain('dvx_records_synced_total{profile="m1",table="account"} 7');
      expect(r.body).toContain('dvx_record_failures_total{profile="m1",table="account"} 2');
      expect(r.body).toMatch(/dvx_table_lag_seconds\{profile="m1",table="account"\} [3-9]/);
      expect(r.body).toContain('dvx_pages_read_total{worker="metrics-b",profile="m1",table="account"} 3');
      expect(r.body).toContain('dvx_throttled_total{worker="metrics-b",profile="m1"} 2');
      expect(r.body).toContain('dvx_lease_takeovers_total{profile="m1"} 1');
      expect(r.body).toContain('dvx_lease_acquisitions_total{profile="m1"} 2');
      expect(r.body).toMatch(/dvx_workers_live 2/);
    } finally {
      delete process.env.METRICS_TOKEN;
    }
  });
});
