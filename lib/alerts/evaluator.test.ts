// The evaluator on a real store with an injected clock: each rule kind fires once (two passes,
// one alert, one message per channel) and resolves once when its condition clears; messages
// reach a local webhook server; a failing channel is recorded and the others still get theirs;
// two evaluators at once still send each message once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../db";
import { makeStore } from "../sync/test-support";
import { setProfileState } from "../sync/profile-store";
import { isCredentialError } from "../sync/supervisor";
import { AuthenticationError } from "../dataverse/errors";
import { channelColumns } from "./channels";
import { evaluateAlerts } from "./evaluator";
import { closedPort, startWebhookReceiver, type WebhookReceiver } from "./test-servers";
import { addOrganization, updateOrganization } from "../organizations/service";

const GUID_A = "11111111-2222-3333-4444-555555555555";
const GUID_B = "66666666-7777-8888-9999-000000000000";

let db: Db;
let hook: WebhookReceiver;
let orgId: string;
const T0 = new Date("2026-12-01T08:00:00.000Z");
const min = (n: number) => new Date(T0.getTime() + n * 60_000);
const noRetry = { attempts: 1, timeoutMs: 2000, sleep: async () => undefined };

beforeAll(async () => {
  db = makeStore().db;
  hook = await startWebhookReceiver();
  orgId = (await db.organization.create({ data: { name: "Org", url: `https://org-${Date.now()}.crm.dynamics.com` } })).id;
});
afterAll(async () => {
  await hook.close();
  await db.$disconnect();
});
beforeEach(async () => {
  hook.posts.length = 0;
  // Each test's clock starts over at T0: the rules (and alerts) of earlier tests must not be evaluated at it.
  await db.alertRule.deleteMany({});
});

let n = 0;
async function profileWith(kind: string, threshold: number, data: Record<string, unknown> = {}) {
  const p = await db.profile.create({
    data: { name: `alerts-${kind}-${++n}`, organizationId: orgId, destinationType: "sqlite", state: "active", metadataActive: true, dataActive: true, lastSyncAt: T0, ...data },
  });
  const rule = await db.alertRule.create({ data: { profileId: p.id, kind, threshold } });
  await db.alertChannel.create({ data: { profileId: p.id, ...channelColumns({ kind: "webhook", name: "hook", url: hook.url(`/${p.id}`), format: "json" }) } });
  return { id: p.id, ruleId: rule.id };
}

type Body = { event: string; kind: string; subject: string | null; title: string; profileId: string };
const postsFor = (profileId: string) => hook.posts.filter((p) => p.path === `/${profileId}`).map((p) => p.body as Body);

/** Two passes at `at`: the first may fire or resolve, the second must send nothing more. */
async function passTwice(at: Date) {
  const a = await evaluateAlerts(db, { now: () => at, send: noRetry });
  const b = await evaluateAlerts(db, { now: () => at, send: noRetry });
  expect(b).toEqual({ fired: [], resolved: [] });
  return a;
}

async function expectFiresOnceThenResolves(profileId: string, fireAt: Date, clear: () => Promise<void>, resolveAt: Date, subject: string | null = null) {
  const fired = await passTwice(fireAt);
  expect(fired.fired).toHaveLength(1);
  expect(postsFor(profileId)).toEqual([expect.objectContaining({ event: "fired", subject })]);
  const alerts = await db.alert.findMany({ where: { profileId } });
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({ resolvedAt: null, firedAt: fireAt });
  await clear();
  const resolved = await passTwice(resolveAt);
  expect(resolved.resolved).toEqual([alerts[0].id]);
  expect(postsFor(profileId).map((b) => b.event)).toEqual(["fired", "resolved"]);
  expect(await db.alert.findUnique({ where: { id: alerts[0].id } })).toMatchObject({ openKey: null, resolvedAt: resolveAt });
  const deliveries = await db.alertDelivery.findMany({ where: { alertId: alerts[0].id }, orderBy: { id: "asc" } });
  expect(deliveries.map((d) => [d.event, d.ok])).toEqual([["fired", true], ["resolved", true]]);
  return alerts[0];
}

describe("each rule kind fires once and resolves", () => {
  it("client secret expires within N days: fires N days ahead, resolves when a new expiry date is recorded", async () => {
    const admin = { id: "u-admin", email: "admin@example.com", name: "Admin", role: "admin" as const };
    const org = await addOrganization(db, admin, {
      name: "Expiring", url: `https://expiring-${Date.now()}.crm.dynamics.com`, tenantId: GUID_A, clientId: GUID_B, clientSecret: "s", clientSecretExpiresAt: "2026-12-15",
    });
    const p = await profileWith("credentials-expiry", 7, { organizationId: org.id });
    const day = (n: number) => new Date(T0.getTime() + n * 24 * 60 * 60_000);
    // T0 is 12-01 08:00: on 12-07 08:00 the secret has 7 days 16 hours left, more than 7 days.
    expect(await evaluateAlerts(db, { now: () => day(6), send: noRetry })).toEqual({ fired: [], resolved: [] });
    const renew = () => updateOrganization(db, admin, { id: org.id, name: "Expiring", tenantId: GUID_A, clientId: GUID_B, clientSecret: "s2", clientSecretExpiresAt: "2028-12-15" }).then(() => undefined);
    await expectFiresOnceThenResolves(p.id, day(7), renew, day(8), "secret-expires:2026-12-15");
    expect(postsFor(p.id)[0].title).toBe("the client secret of Expiring expires on 2026-12-15 (in 7 days)");
    // Not recorded: nothing to warn about; past the date it says "expired".
    await db.organization.update({ where: { id: org.id }, data: { clientSecretExpiresAt: null } });
    expect(await evaluateAlerts(db, { now: () => day(400), send: noRetry })).toEqual({ fired: [], resolved: [] });
    await db.organization.update({ where: { id: org.id }, data: { clientSecretExpiresAt: new Date("2026-12-15T00:00:00.000Z") } });
    expect((await evaluateAlerts(db, { now: () => day(20), send: noRetry })).fired).toHaveLength(1);
    expect(postsFor(p.id).at(-1)?.title).toBe("the client secret of Expiring expired on 2026-12-15");
  });


  it("lag above N minutes", async () => {
    const p = await profileWith("lag", 30);
    expect(await evaluateAlerts(db, { now: () => min(30), send: noRetry })).toEqual({ fired: [], resolved: [] }); // exactly 30: not above
    await expectFiresOnceThenResolves(p.id, min(31), () => db.profile.update({ where: { id: p.id }, data: { lastSyncAt: min(40) } }).then(() => undefined), min(41));
    expect(postsFor(p.id)[0].title).toBe("lag of 31 minutes (above 30)");
  });

  it("lag of a scheduled lake export: none while it waits for its run, from the due time once a run is overdue", async () => {
    const p = await profileWith("lag", 30, { destinationType: "datalake", refreshMode: "hours", refreshEveryHours: 6, refreshNextAt: min(360) });
    expect(await evaluateAlerts(db, { now: () => min(300), send: noRetry })).toEqual({ fired: [], resolved: [] });
    const ran = () => db.profile.update({ where: { id: p.id }, data: { lastSyncAt: min(400), refreshNextAt: min(720) } }).then(() => undefined);
    await expectFiresOnceThenResolves(p.id, min(391), ran, min(401));
    expect(postsFor(p.id)[0].title).toBe("lag of 31 minutes (above 30)");
  });

  it("failures above N per hour", async () => {
    const p = await profileWith("failures", 5);
    await db.syncStat.create({ data: { profileId: p.id, entity: "account", minute: min(0), failed: 4 } });
    await db.syncStat.create({ data: { profileId: p.id, entity: "contact", minute: min(10), failed: 2 } });
    // 6 failures in the hour before 08:30; 61 minutes after the first minute only the second (2) counts.
    await expectFiresOnceThenResolves(p.id, min(30), async () => undefined, min(61));
    expect(postsFor(p.id)[0].title).toBe("6 failed records in the last hour (above 5)");
  });

  it("profile failed (and activating between restarts still counts as failed)", async () => {
    const p = await profileWith("profile-failed", 5);
    await setProfileState(db, p.id, "failed", "the target refused the connection", null);
    await expectFiresOnceThenResolves(
      p.id, min(1),
      async () => {
        // The supervisor restarts the runner ("activating", lastError kept): still the same incident.
        await setProfileState(db, p.id, "activating");
        expect(await evaluateAlerts(db, { now: () => min(2), send: noRetry })).toEqual({ fired: [], resolved: [] });
        await db.profile.update({ where: { id: p.id }, data: { state: "active", lastError: null } });
      },
      min(3),
    );
    expect(postsFor(p.id)[0].title).toBe("the profile failed");
  });

  it("profile stopped: active but no live worker holds it for N minutes", async () => {
    const p = await profileWith("profile-failed", 5);
    await db.profileLease.create({ data: { profileId: p.id, ownerId: null, expiresAt: min(0) } });
    expect((await evaluateAlerts(db, { now: () => min(4), send: noRetry })).fired).toEqual([]);
    await expectFiresOnceThenResolves(
      p.id, min(6),
      async () => {
        const w = await db.worker.create({ data: { id: `w-${p.id}`, host: "h", pid: 1, version: "t", role: "worker" } });
        await db.profileLease.update({ where: { profileId: p.id }, data: { ownerId: w.id, expiresAt: min(20) } });
      },
      min(7),
    );
    expect(postsFor(p.id)[0].title).toBe("the profile is stopped: no worker runs it");
  });

  it("a table failed: one incident per table", async () => {
    const p = await profileWith("table-failed", 0);
    await db.profileTable.create({ data: { profileId: p.id, logicalName: "account", initialSyncState: "Failed", lastError: "no such column" } });
    await db.profileTable.create({ data: { profileId: p.id, logicalName: "contact", initialSyncState: "Completed", metadataState: "Created" } });
    await expectFiresOnceThenResolves(
      p.id, min(1),
      () => db.profileTable.updateMany({ where: { profileId: p.id, logicalName: "account" }, data: { initialSyncState: "InProgress", lastError: null } }).then(() => undefined),
      min(2), "account",
    );
  });

  it("credentials rejected (the supervisor marks the error's kind)", async () => {
    const p = await profileWith("credentials", 0);
    const err = new AuthenticationError("Sign-in to Entra ID failed (AADSTS7000222). The client secret has expired: create a new one in the app registration.");
    expect(isCredentialError(err)).toBe(true);
    expect(isCredentialError(new Error("wrapped", { cause: err }))).toBe(true);
    expect(isCredentialError(new Error("ECONNRESET"))).toBe(false);
    // Another failure is no credential alert.
    await setProfileState(db, p.id, "failed", "ECONNRESET", null);
    expect((await evaluateAlerts(db, { now: () => min(1), send: noRetry })).fired).toEqual([]);
    await setProfileState(db, p.id, "failed", err.message, "credentials");
    await expectFiresOnceThenResolves(p.id, min(2), () => db.profile.update({ where: { id: p.id }, data: { state: "active", lastError: null } }).then(() => undefined), min(3));
    expect(postsFor(p.id)[0].title).toBe("the organization's credentials were rejected");
  });

  it("reconciliation found differences, resolved by a later equal one", async () => {
    const p = await profileWith("reconcile-differences", 0);
    await db.reconciliation.create({ data: { profileId: p.id, trigger: "schedule", status: "done", finishedAt: min(0), missing: 1, extra: 0, stale: 2 } });
    await expectFiresOnceThenResolves(
      p.id, min(1),
      () => db.reconciliation.create({ data: { profileId: p.id, trigger: "portal", status: "done", finishedAt: min(5), missing: 0, extra: 0, stale: 0 } }).then(() => undefined),
      min(6),
    );
    expect(postsFor(p.id)[0].title).toBe("reconciliation found 3 differences");
  });
});

describe("robustness", () => {
  it("a failing channel is recorded on the alert, the other channel still gets the message, nothing throws", async () => {
    const p = await profileWith("lag", 1);
    const port = await closedPort();
    await db.alertChannel.create({ data: { profileId: p.id, ...channelColumns({ kind: "webhook", name: "dead", url: `http://127.0.0.1:${port}/x`, format: "slack" }) } });
    // A channel whose secret cannot be decrypted (key changed) is recorded too.
    await db.alertChannel.create({ data: { profileId: p.id, name: "garbled", kind: "webhook", format: "json", secretEnc: "v1:garbage" } });
    const r = await evaluateAlerts(db, { now: () => min(5), send: { attempts: 2, timeoutMs: 2000, sleep: async () => undefined } });
    expect(r.fired).toHaveLength(1);
    expect(postsFor(p.id)).toHaveLength(1);
    const d = await db.alertDelivery.findMany({ where: { alertId: r.fired[0] }, orderBy: { id: "asc" } });
    expect(d.map((x) => ({ name: x.channelName, ok: x.ok, attempts: x.attempts }))).toEqual([
      { name: "hook", ok: true, attempts: 1 },
      { name: "dead", ok: false, attempts: 2 },
      { name: "garbled", ok: false, attempts: 0 },
    ]);
    expect(d[1].error).toBe(`127.0.0.1:${port} refused the connection (nothing listens there?).`);
    expect(d[2].error).toMatch(/cannot be decrypted/);
  });

  it("a disabled rule resolves its open alert", async () => {
    const p = await profileWith("lag", 1);
    expect((await evaluateAlerts(db, { now: () => min(5), send: noRetry })).fired).toHaveLength(1);
    await db.alertRule.update({ where: { id: p.ruleId }, data: { enabled: false } });
    expect((await evaluateAlerts(db, { now: () => min(6), send: noRetry })).resolved).toHaveLength(1);
  });

  it("two evaluators at once send each message once", async () => {
    const p = await profileWith("lag", 1);
    const [a, b] = await Promise.all([
      evaluateAlerts(db, { now: () => min(5), send: noRetry }),
      evaluateAlerts(db, { now: () => min(5), send: noRetry }),
    ]);
    expect(a.fired.length + b.fired.length).toBe(1);
    expect(postsFor(p.id)).toHaveLength(1);
    await db.profile.update({ where: { id: p.id }, data: { lastSyncAt: min(6) } });
    const [c, d] = await Promise.all([
      evaluateAlerts(db, { now: () => min(6), send: noRetry }),
      evaluateAlerts(db, { now: () => min(6), send: noRetry }),
    ]);
    expect(c.resolved.length + d.resolved.length).toBe(1);
    expect(postsFor(p.id).map((x) => x.event)).toEqual(["fired", "resolved"]);
  });
});
