// Retention: failure-log entries and throughput stats older than the retention are deleted in
// batches, the rest kept; the worker's housekeeping does it on its own, on an injected clock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db";
import { appendFailure } from "./failure-log";
import { pruneExpired, retentionDays } from "./retention";
import { makeStore, waitFor } from "./test-support";
import { startWorker, type Worker } from "./worker-loop";

const DAY = 24 * 60 * 60 * 1000;
const now = new Date(Date.UTC(2027, 5, 15, 12));
const ago = (days: number, plusMs = 0) => new Date(now.getTime() - days * DAY + plusMs);

let db: Db;
let profileId: string;
let worker: Worker | undefined;

beforeAll(async () => {
  ({ db } = makeStore());
  const org = await db.organization.create({ data: { name: "o", url: "http://o.example" } });
  profileId = (await db.profile.create({ data: { name: "p", organizationId: org.id, destinationType: "sqlite" } })).id;
});
afterAll(async () => {
  await worker?.stop();
  await db.$disconnect();
});

async function seed(ages: number[]): Promise<void> {
  await db.failure.deleteMany();
  await db.syncStat.deleteMany();
  for (const [k, days] of ages.entries()) {
    await appendFailure(db, profileId, { entity: "account", recordId: `r${k}`, changeType: "Update", reason: `${days} days`, at: ago(days) });
    for (const entity of ["account", "contact"]) {
      await db.syncStat.create({ data: { profileId, entity, minute: ago(days, k * 60_000), written: 1 } });
    }
  }
}

const reasons = async () => (await db.failure.findMany({ orderBy: { id: "asc" }, select: { reason: true } })).map((r) => r.reason);
const statAges = async () => (await db.syncStat.findMany({ where: { entity: "account" }, orderBy: { minute: "asc" } })).map((s) => Math.round((now.getTime() - s.minute.getTime()) / DAY) || 0);

describe("pruneExpired", () => {
  it("deletes what is older than the retention, oldest first in batches, and keeps the rest", async () => {
    await seed([400, 120, 95, 91, 90.5, 89, 30, 1, 0]);
    const r = await pruneExpired(db, { days: 90, now, batch: 2 });
    expect(r).toEqual({ failures: 5, stats: 10, alerts: 0 });
    expect(await reasons()).toEqual(["89 days", "30 days", "1 days", "0 days"]);
    expect(await statAges()).toEqual([89, 30, 1, 0]);
    // Nothing left to do: a second pass (another worker) deletes nothing.
    expect(await pruneExpired(db, { days: 90, now, batch: 2 })).toEqual({ failures: 0, stats: 0, alerts: 0 });
  });

  it("deletes alerts resolved before the retention with their messages, and old test messages; keeps open alerts however old", async () => {
    const ruleId = (await db.alertRule.create({ data: { profileId, kind: "lag", threshold: 30 } })).id;
    const alert = (label: string, firedDaysAgo: number, resolvedDaysAgo: number | null) =>
      db.alert.create({
        data: { profileId, ruleId, kind: "lag", subject: label, message: label, firedAt: ago(firedDaysAgo), resolvedAt: resolvedDaysAgo === null ? null : ago(resolvedDaysAgo), openKey: resolvedDaysAgo === null ? `${ruleId}|${label}` : null },
      });
    const old = await alert("resolved 100 days ago", 120, 100);
    await alert("resolved 10 days ago", 120, 10);
    await alert("open for 200 days", 200, null);
    await db.alertDelivery.create({ data: { profileId, alertId: old.id, channelName: "hook", event: "fired", ok: true, at: ago(120) } });
    for (const days of [100, 10]) await db.alertDelivery.create({ data: { profileId, channelName: "hook", event: "test", ok: true, at: ago(days) } });
    expect(await pruneExpired(db, { days: 90, now })).toMatchObject({ alerts: 2 });
    expect((await db.alert.findMany({ orderBy: { firedAt: "asc" } })).map((a) => a.subject)).toEqual(["open for 200 days", "resolved 10 days ago"]);
    expect((await db.alertDelivery.findMany()).map((d) => [d.event, Math.round((now.getTime() - d.at.getTime()) / DAY)])).toEqual([["test", 10]]);
  });

  it("reads RETENTION_DAYS: 90 by default, 0 keeps everything, anything else is refused", () => {
    expect(retentionDays({})).toBe(90);
    expect(retentionDays({ RETENTION_DAYS: "30" })).toBe(30);
    expect(retentionDays({ RETENTION_DAYS: "0" })).toBeNull();
    expect(() => retentionDays({ RETENTION_DAYS: "ninety" })).toThrow(/RETENTION_DAYS/);
  });
});

describe("worker housekeeping", () => {
  it("prunes at start and again on its period, by the injected clock", async () => {
    await seed([200, 100, 40, 10]);
    let clock = now;
    worker = startWorker({ db, pollMs: 50, housekeeping: { retentionDays: 90, everyMs: 30, now: () => clock } });
    await waitFor(async () => (await reasons()).length === 2, "the first pass");
    expect(await reasons()).toEqual(["40 days", "10 days"]);
    expect(await statAges()).toEqual([40, 10]);
    // 60 days later by the clock, the 40-day-old entries are past 90 days too.
    clock = new Date(now.getTime() + 60 * DAY);
    await waitFor(async () => (await reasons()).length === 1, "a later pass");
    expect(await reasons()).toEqual(["10 days"]);
    await worker.stop();
    worker = undefined;
  });
});
