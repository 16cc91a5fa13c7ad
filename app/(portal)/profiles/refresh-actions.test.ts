// Scheduled refresh through the portal's server actions: the schedule on create and edit (lake
// targets only; a cron that does not parse, hours out of range, a schedule on a SQL target are
// refused with a field message and nothing written), Run now by role (admin; contributor over a
// shared connection only; viewer never), audited; the connection picker of the edit form.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshActionStore } from "@/lib/testing/action-store";

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock("next-auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next-auth")>()),
  getServerSession: async () => session.current,
}));

const store = await freshActionStore("refresh-actions");
const { db, dir, adminId, viewerId, contributorId } = store;
const { encryptSecret } = await import("@/lib/secrets");
const { createConnection } = await import("@/lib/connections/service");
const { admin } = await import("@/lib/profiles/test-helpers");
const newActions = await import("./new/actions");
const actions = { ...(await import("./[id]/actions")), ...(await import("./[id]/edit/actions")) };

let orgId = "";
let shared = "";
let adminsOnly = "";
let otherShared = "";
const as = (id: string) => (session.current = { user: { id } });
const lakeInput = (o: Record<string, unknown> = {}) => ({ name: "Lake nightly", organizationId: orgId, connectionId: shared, tables: ["account"], relationships: [], ...o });
const stored = (name: string) => db.profile.findUnique({ where: { name }, select: { id: true, refreshMode: true, refreshEveryHours: true, refreshCron: true, refreshNextAt: true, refreshRequestedAt: true, connectionId: true, version: true } });

beforeAll(async () => {
  orgId = (await db.organization.create({
    data: { name: "Contoso", url: "https://contoso.crm.dynamics.com", staticTokenEnc: encryptSecret("t"), privacyAcceptedAt: new Date(), privacyAcceptedBy: "admin@t.test" },
  })).id;
  for (const n of ["a", "b", "c"]) fs.mkdirSync(path.join(dir, n));
  const mk = async (name: string, folder: string, sharedWithContributors: boolean) =>
    (await createConnection(db, admin, { name, destinationType: "datalake", connectionString: `lake:${path.join(dir, folder)}`, sharedWithContributors, agreeToTerms: true })).id;
  shared = await mk("Shared lake", "a", true);
  adminsOnly = await mk("Admins' lake", "b", false);
  otherShared = await mk("Second shared lake", "c", true);
});
afterAll(() => store.close());

describe("scheduled refresh actions", () => {
  it("refuse bad schedules with a field message and write nothing", async () => {
    as(contributorId);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ refreshMode: "cron", refreshCron: "every night" }, "refreshCron", /is not a cron expression/],
      [{ refreshMode: "cron", refreshCron: "0 0 1 * *" }, "refreshCron", /more than 7 days between runs/],
      [{ refreshMode: "hours", refreshEveryHours: "0" }, "refreshEveryHours", /from 1 to 168/],
      [{ refreshMode: "hours", refreshEveryHours: "100000" }, "refreshEveryHours", /from 1 to 168/],
      [{ refreshMode: "hours", refreshEveryHours: "-3" }, "refreshEveryHours", /from 1 to 168/],
      [{ refreshMode: "hours" }, "refreshEveryHours", /hours between runs/],
      [{ refreshMode: "weekly" }, "refreshMode", /continuous, hours .* or cron/],
    ];
    for (const [o, field, msg] of cases) {
      const r = await newActions.createProfileAction(lakeInput(o));
      expect(r.ok, JSON.stringify(o)).toBe(false);
      expect(!r.ok && r.fieldErrors?.[field], JSON.stringify(o)).toMatch(msg);
    }
    as(adminId);
    const sql = await newActions.createProfileAction({ ...lakeInput(), connectionId: undefined, destinationType: "sqlite", connectionString: `sqlite:${path.join(dir, "t.db")}`, refreshMode: "hours", refreshEveryHours: "6" });
    expect(sql).toMatchObject({ ok: false, fieldErrors: { refreshMode: expect.stringMatching(/data lake exports only/) } });
    expect(await db.profile.count()).toBe(0);
  });

  it("store a schedule on create (next run counted from now) and change it on edit; bad edits change nothing", async () => {
    as(contributorId);
    const before = Date.now();
    const r = await newActions.createProfileAction(lakeInput({ refreshMode: "hours", refreshEveryHours: "6" }));
    expect(r.ok).toBe(true);
    const p = (await stored("Lake nightly"))!;
    expect(p).toMatchObject({ refreshMode: "hours", refreshEveryHours: 6, refreshCron: null });
    expect(p.refreshNextAt!.getTime()).toBeGreaterThanOrEqual(before + 6 * 3_600_000);

    const bad = await actions.updateProfileAction({ id: p.id, changes: { refreshMode: "cron", refreshCron: "61 * * * *" } });
    expect(bad).toMatchObject({ ok: false, fieldErrors: { refreshCron: expect.stringMatching(/Invalid value for minute/) } });
    expect(await stored("Lake nightly")).toEqual(p);

    const ok = await actions.updateProfileAction({ id: p.id, changes: { refreshMode: "cron", refreshCron: "30 2 * * *", refreshEveryHours: "6" } });
    expect(ok.ok).toBe(true);
    const after = (await stored("Lake nightly"))!;
    expect(after).toMatchObject({ refreshMode: "cron", refreshCron: "30 2 * * *", refreshEveryHours: null, version: p.version + 1 });
    expect(after.refreshNextAt!.toISOString()).toMatch(/T02:30:00\.000Z$/);
  });

  it("Run now: refused for viewers, for contributors on an admins-only connection, for inactive or continuous exports; stored and audited otherwise", async () => {
    const p = (await stored("Lake nightly"))!;
    as(adminId);
    const priv = await newActions.createProfileAction(lakeInput({ name: "Private lake", connectionId: adminsOnly, refreshMode: "hours", refreshEveryHours: "12" }));
    expect(priv.ok).toBe(true);
    const privId = (await stored("Private lake"))!.id;
    const cont = await newActions.createProfileAction(lakeInput({ name: "Continuous lake", connectionId: otherShared }));
    expect(cont.ok).toBe(true);
    const contId = (await stored("Continuous lake"))!.id;

    as(viewerId);
    expect(await actions.runNowAction({ id: p.id })).toMatchObject({ ok: false, error: expect.stringMatching(/Only admins and contributors/) });
    session.current = null;
    expect((await actions.runNowAction({ id: p.id })).ok).toBe(false);
    as(contributorId);
    expect(await actions.runNowAction({ id: p.id })).toMatchObject({ ok: false, error: expect.stringMatching(/Activate the export first/) });
    expect(await actions.runNowAction({ id: privId })).toMatchObject({ ok: false, error: expect.stringMatching(/Only admins can change this profile/) });
    expect(await actions.runNowAction({ id: contId })).toMatchObject({ ok: false, error: expect.stringMatching(/kept in sync continuously/) });
    expect(await actions.runNowAction({ id: "not-a-uuid" })).toMatchObject({ ok: false });
    expect(await db.profile.count({ where: { refreshRequestedAt: { not: null } } })).toBe(0);

    await db.profile.updateMany({ data: { dataActive: true, metadataActive: true } });
    expect(await actions.runNowAction({ id: p.id })).toEqual({ ok: true, data: undefined });
    const req = (await stored("Lake nightly"))!;
    expect(req.refreshRequestedAt).not.toBeNull();
    expect(await db.profile.findUniqueOrThrow({ where: { id: p.id }, select: { refreshRequestedBy: true } })).toEqual({ refreshRequestedBy: "contributor@t.test" });
    expect(await db.auditEvent.findFirst({ where: { action: "profile.run_now", objectId: p.id }, select: { actorLabel: true } })).toMatchObject({ actorLabel: "contributor@t.test" });
    as(adminId);
    expect((await actions.runNowAction({ id: privId })).ok).toBe(true);
  });

  it("edit form's connection picker: a contributor moves an export to another shared connection, never to an admins-only one", async () => {
    const p = (await stored("Lake nightly"))!;
    as(contributorId);
    const refused = await actions.updateProfileAction({ id: p.id, changes: { connectionId: adminsOnly } });
    expect(refused.ok).toBe(false);
    expect((await stored("Lake nightly"))!.connectionId).toBe(shared);
    const moved = await actions.updateProfileAction({ id: p.id, changes: { connectionId: otherShared } });
    expect(moved.ok).toBe(true);
    expect((await stored("Lake nightly"))!.connectionId).toBe(otherShared);
  });
});
