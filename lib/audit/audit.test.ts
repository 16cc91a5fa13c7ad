// The audit log: each family of actions is recorded by the service that performs it (so the portal's
// server actions and the REST API are covered alike), with who, what, the object, the changed
// fields and the address; secrets never reach it; nothing in the application edits or deletes an
// entry except retention.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlertChannel, createAlertRule, deleteAlertChannel, deleteAlertRule } from "../alerts/service";
import { createApiToken, revokeApiToken } from "../api/token-store";
import type { Actor } from "../auth/actor";
import { authorizeCredentials } from "../auth/options";
import { hashPassword } from "../auth/password";
import type { Db } from "../db";
import { acceptPrivacyTerms, addOrganization } from "../organizations/service";
import { requestReconcile, updateReconcileSchedule } from "../profiles/reconciliation";
import { activate, createProfile, deactivate, deleteProfile, resyncFailedRecords, resyncTable, updateProfile } from "../profiles/service";
import { startHousekeeping } from "../sync/retention";
import { makeStore, waitFor } from "../sync/test-support";
import { createUser, deleteUser, setUserRole } from "../users/service";
import { queryAuditLog } from "./query";
import { anonymousActor, recordAudit } from "./record";
import { changedFields, REDACTED } from "./redact";
import { auditRetentionDays, pruneAuditLog } from "./retention";

let db: Db;
let admin: Actor;

// Every secret the actions below handle: none may appear in any audit entry.
const SECRETS = {
  password: "Sup3r-Secret-Pa55word",
  clientSecret: "org-client-secret-4f9a1c",
  targetPassword: "pg-target-pw-7d2e",
  newTargetPassword: "pg-target-pw-rotated-91b",
  webhookUrl: "https://hooks.example/services/T0/B0/webhook-secret-path-55",
  smtpPassword: "smtp-pw-3c8e",
};

beforeAll(async () => {
  ({ db } = makeStore());
  const row = await db.user.create({ data: { email: "root@audit.test", role: "admin", passwordHash: await hashPassword(SECRETS.password) } });
  admin = { id: row.id, email: row.email, name: null, role: "admin", ip: "203.0.113.7" };
});
afterAll(() => db.$disconnect());

const openThrottle = { attempt: async () => ({ succeeded: async () => undefined }) };

async function lastEntry(action: string) {
  const page = await queryAuditLog(db, admin, { action, limit: 1 });
  expect(page.entries, `an entry for ${action}`).toHaveLength(1);
  return page.entries[0];
}

describe("recording, one family at a time", () => {
  it("sign-in: success and failure, with the client address, naming only existing accounts", async () => {
    const headers = { "x-dx-peer-address": "::ffff:198.51.100.4" };
    await authorizeCredentials(db, openThrottle, { email: "root@audit.test", password: SECRETS.password }, headers);
    expect(await lastEntry("auth.sign_in")).toMatchObject({ actorKind: "user", actorId: admin.id, actor: "root@audit.test", objectType: "user", objectId: admin.id, ip: "198.51.100.4" });

    await expect(authorizeCredentials(db, openThrottle, { email: "root@audit.test", password: "wrong-guess-1" }, headers)).rejects.toThrow(/Incorrect/);
    expect(await lastEntry("auth.sign_in_failed")).toMatchObject({ actorKind: "anonymous", actorId: null, objectId: admin.id, objectLabel: "root@audit.test", ip: "198.51.100.4" });

    await expect(authorizeCredentials(db, openThrottle, { email: "stranger@else.test", password: "wrong-guess-2" }, headers)).rejects.toThrow(/Incorrect/);
    const unknown = await lastEntry("auth.sign_in_failed");
    expect(unknown).toMatchObject({ objectId: null, objectLabel: "(unknown account)" });
    expect(JSON.stringify(unknown)).not.toContain("stranger@else.test");
  });

  it("users: create, role change (before/after), delete", async () => {
    const u = await createUser(db, admin, { email: "ana@audit.test", name: "Ana", password: SECRETS.password, role: "viewer" });
    expect(await lastEntry("user.create")).toMatchObject({ actor: "root@audit.test", ip: "203.0.113.7", objectId: u.id, objectLabel: "ana@audit.test", before: null, after: { email: "ana@audit.test", name: "Ana", role: "viewer" } });
    await setUserRole(db, admin, { id: u.id, role: "admin" });
    expect(await lastEntry("user.role_change")).toMatchObject({ objectId: u.id, before: { role: "viewer" }, after: { role: "admin" } });
    await deleteUser(db, admin, u.id);
    expect(await lastEntry("user.delete")).toMatchObject({ objectId: u.id, before: { email: "ana@audit.test", role: "admin" }, after: null });
  });

  it("API tokens: create and revoke, once; a token acting is named as the token", async () => {
    const { token, summary } = await createApiToken(db, admin, { name: "ci-bot", role: "admin" });
    expect(await lastEntry("token.create")).toMatchObject({ objectType: "token", objectId: summary.id, objectLabel: "ci-bot", after: { name: "ci-bot", role: "admin", prefix: summary.prefix } });
    const tokenActor: Actor = { id: `token:${summary.id}`, email: "token:ci-bot", name: null, role: "admin", ip: "192.0.2.1" };
    const other = await createApiToken(db, tokenActor, { name: "made-by-bot", role: "viewer" });
    expect(await lastEntry("token.create")).toMatchObject({ actorKind: "token", actorId: summary.id, actor: "token:ci-bot", objectLabel: "made-by-bot", ip: "192.0.2.1" });
    await revokeApiToken(db, admin, other.summary.id);
    await revokeApiToken(db, admin, other.summary.id);
    const revokes = await queryAuditLog(db, admin, { action: "token.revoke" });
    expect(revokes.entries).toHaveLength(1);
    expect(revokes.entries[0]).toMatchObject({ before: { revokedAt: null }, after: { revokedAt: expect.any(String) } });
    expect(JSON.stringify(await db.auditEvent.findMany())).not.toContain(token.slice(10));
  });

  it("organizations and privacy terms (the client secret only as [redacted]); profiles from create to delete; their alert rules and channels", async () => {
    const org = await addOrganization(db, admin, {
      name: "Contoso", url: "https://contoso.crm.dynamics.com", tenantId: "11111111-2222-3333-4444-555555555555", clientId: "66666666-7777-8888-9999-000000000000", clientSecret: SECRETS.clientSecret,
    });
    expect(await lastEntry("organization.create")).toMatchObject({ objectId: org.id, objectLabel: "Contoso", after: { name: "Contoso", clientSecret: REDACTED } });
    await acceptPrivacyTerms(db, admin, org.id);
    await acceptPrivacyTerms(db, admin, org.id);
    const accepts = await queryAuditLog(db, admin, { action: "organization.privacy_accept" });
    expect(accepts.entries).toHaveLength(1);
    expect(accepts.entries[0]).toMatchObject({ before: { privacyAcceptedAt: null }, after: { privacyAcceptedBy: "root@audit.test" } });

    const target = (pw: string) => `postgresql://exporter:${pw}@db.example:5432/export`;
    const p = await createProfile(db, admin, { name: "Sales", organizationId: org.id, destinationType: "postgres", connectionString: target(SECRETS.targetPassword), tables: ["account", "contact"] });
    expect(await lastEntry("profile.create")).toMatchObject({ objectType: "profile", objectId: p.id, objectLabel: "Sales", after: { name: "Sales", connectionString: REDACTED, tables: ["account", "contact"], retryCount: 12 } });

    await updateProfile(db, admin, p.id, { name: "Sales EU", retryCount: 3, tables: ["account"], connectionString: target(SECRETS.newTargetPassword) });
    const upd = await lastEntry("profile.update");
    expect(upd.before).toEqual({ name: "Sales", retryCount: 12, tables: ["account", "contact"], connectionString: REDACTED });
    expect(upd.after).toEqual({ name: "Sales EU", retryCount: 3, tables: ["account"], connectionString: REDACTED });
    await updateProfile(db, admin, p.id, { retryCount: 4 });
    expect((await lastEntry("profile.update")).before).toEqual({ retryCount: 3 });

    await activate(db, admin, p.id);
    expect(await lastEntry("profile.activate")).toMatchObject({ objectLabel: "Sales EU", before: { metadataActive: false, dataActive: false }, after: { metadataActive: true, dataActive: true } });
    await resyncTable(db, admin, p.id, "account");
    expect(await lastEntry("profile.resync_table")).toMatchObject({ objectId: p.id, after: { table: "account" } });
    await resyncFailedRecords(db, admin, p.id);
    expect(await lastEntry("profile.resync_failed")).toMatchObject({ objectId: p.id });
    await requestReconcile(db, admin, p.id, { repair: true }, "api");
    expect(await lastEntry("profile.reconcile")).toMatchObject({ after: { tables: "all", repair: true, trigger: "api" } });
    await updateReconcileSchedule(db, admin, p.id, { enabled: true, timeUtc: "03:30", everyHours: null });
    expect(await lastEntry("profile.reconcile_schedule")).toMatchObject({ before: { timeUtc: "02:00" }, after: { timeUtc: "03:30" } });
    await deactivate(db, admin, p.id);
    expect(await lastEntry("profile.deactivate")).toMatchObject({ before: { metadataActive: true }, after: { metadataActive: false } });
    // Alerts: rules and channels (the webhook URL and the SMTP password are secrets).
    const rule = await createAlertRule(db, admin, p.id, { kind: "lag", threshold: 30 });
    expect(await lastEntry("alert.rule_create")).toMatchObject({ objectType: "alert", objectId: rule.id, after: { profileId: p.id, kind: "lag", threshold: 30 } });
    const hook = await createAlertChannel(db, admin, p.id, { kind: "webhook", name: "ops hook", url: SECRETS.webhookUrl, format: "slack" });
    expect(await lastEntry("alert.channel_create")).toMatchObject({ objectId: hook.id, objectLabel: "Sales EU: ops hook", after: { name: "ops hook", kind: "webhook" } });
    await createAlertChannel(db, admin, p.id, { kind: "email", name: "ops mail", host: "smtp.example", port: 587, user: "ops", password: SECRETS.smtpPassword, from: "dx@example.com", to: "ops@example.com" });
    await deleteAlertRule(db, admin, p.id, rule.id);
    expect(await lastEntry("alert.rule_delete")).toMatchObject({ objectId: rule.id, before: { kind: "lag", threshold: 30 } });
    await deleteAlertChannel(db, admin, p.id, hook.id);
    expect(await lastEntry("alert.channel_delete")).toMatchObject({ objectId: hook.id, before: { name: "ops hook" } });

    await deleteProfile(db, admin, p.id);
    expect(await lastEntry("profile.delete")).toMatchObject({ objectId: p.id, objectLabel: "Sales EU", before: { name: "Sales EU", connectionString: REDACTED }, after: null });
  });

  it("a refused action records nothing", async () => {
    const before = await db.auditEvent.count();
    const viewer: Actor = { ...admin, role: "viewer" };
    await expect(createUser(db, viewer, { email: "x@audit.test", password: "a-good-password", role: "admin" })).rejects.toThrow(/Only admins/);
    expect(await db.auditEvent.count()).toBe(before);
  });
});

describe("secrets", () => {
  it("no secret handled above is in any entry, in any column", async () => {
    const all = JSON.stringify(await db.auditEvent.findMany());
    expect(all).toContain(REDACTED);
    for (const [name, secret] of Object.entries(SECRETS)) expect(all, name).not.toContain(secret);
  });

  it("are redacted by field name and, under any other name, by their shape", () => {
    const { before, after } = changedFields(
      { note: "old", clientSecret: "a", password: null, hasPassword: false },
      {
        note: "Server=db;User Id=sa;Password=Hunter2!;Database=x", clientSecret: "b", password: "p4ss", hasPassword: true,
        url: "https://me:pa55@host.example/x", pasted: "dvx_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
      },
    );
    expect(before).toEqual({ note: "old", clientSecret: REDACTED, password: null, hasPassword: false, url: null, pasted: null });
    expect(after).toEqual({
      note: `Server=db;User Id=sa;Password=${REDACTED};Database=x`, clientSecret: REDACTED, password: REDACTED, hasPassword: true,
      url: `https://me:${REDACTED}@host.example/x`, pasted: REDACTED,
    });
  });

  it("recordAudit redacts what a caller passes by mistake", async () => {
    await recordAudit(db, anonymousActor("192.0.2.9"), { action: "auth.sign_in_failed", object: { type: "user" }, after: { connectionString: "Password=zz-top-secret", nested: { apiKey: "k-123-secret" } } });
    const row = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(row.after).not.toContain("zz-top-secret");
    expect(row.after).not.toContain("k-123-secret");
  });
});

describe("append-only", () => {
  // Every line of application code (lib/, app/, components/) that could change or remove an entry.
  const WRITE = /auditEvent\s*\.\s*(update|updateMany|upsert|delete|deleteMany)\b|(UPDATE|DELETE\s+FROM)\s+"?AuditEvent"?/i;
  function files(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === "generated" || e.name === "node_modules" ? [] : files(p);
      return /\.(ts|tsx|mjs)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
    });
  }

  it("no code path but retention updates or deletes an entry", () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const hits = ["lib", "app", "components", "scripts"].flatMap((d) => files(path.join(root, d)))
      .filter((f) => WRITE.test(fs.readFileSync(f, "utf8")))
      .map((f) => path.relative(root, f));
    expect(hits).toEqual(["lib/audit/retention.ts"]);
  });

  it("the recording module offers only appending", async () => {
    expect(Object.keys(await import("./record")).sort()).toEqual(["actorKind", "anonymousActor", "recordAudit"]);
  });
});

describe("retention", () => {
  it("AUDIT_RETENTION_DAYS: default 365, 0 keeps forever, nonsense refused", () => {
    expect(auditRetentionDays(undefined)).toBe(365);
    expect(auditRetentionDays("30")).toBe(30);
    expect(auditRetentionDays("0")).toBeNull();
    expect(() => auditRetentionDays("-1")).toThrow(/AUDIT_RETENTION_DAYS/);
    expect(() => auditRetentionDays("a year")).toThrow(/AUDIT_RETENTION_DAYS/);
  });

  it("removes only entries older than the retention", async () => {
    const now = new Date("2030-06-01T00:00:00Z");
    const old = await db.auditEvent.create({ data: { at: new Date("2030-04-01T00:00:00Z"), actorKind: "user", actorLabel: "x", action: "user.create", objectType: "user" } });
    const recent = await db.auditEvent.create({ data: { at: new Date("2030-05-20T00:00:00Z"), actorKind: "user", actorLabel: "x", action: "user.create", objectType: "user" } });
    expect(await pruneAuditLog(db, null, now)).toBe(0);
    expect(await db.auditEvent.count({ where: { id: old.id } })).toBe(1);
    expect(await pruneAuditLog(db, 30, now)).toBeGreaterThanOrEqual(1);
    expect(await db.auditEvent.count({ where: { id: old.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { id: recent.id } })).toBe(1);
  });

  it("the worker's housekeeping prunes the audit log with its own retention", async () => {
    const now = new Date("2031-01-01T00:00:00Z");
    const old = await db.auditEvent.create({ data: { at: new Date("2030-12-01T00:00:00Z"), actorKind: "user", actorLabel: "x", action: "user.create", objectType: "user" } });
    const young = await db.auditEvent.create({ data: { at: new Date("2030-12-25T00:00:00Z"), actorKind: "user", actorLabel: "x", action: "user.create", objectType: "user" } });
    const lines: string[] = [];
    const log = { info: (m: string) => void lines.push(m), warn: (m: string) => void lines.push(m), error: (m: string) => void lines.push(m) };
    const hk = startHousekeeping(db, log, { retentionDays: null, auditRetentionDays: 14, now: () => now });
    await waitFor(async () => (await db.auditEvent.count({ where: { id: old.id } })) === 0, "the old entry pruned");
    await hk.stop();
    expect(await db.auditEvent.count({ where: { id: young.id } })).toBe(1);
    expect(lines.join("\n")).toMatch(/removed \d+ audit log entries older than 14 days/);
  });
});
