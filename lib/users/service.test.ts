// User management rules that must hold under concurrency: the portal never ends up without an admin.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import { makeStore } from "../sync/test-support";
import { deleteUser, setEntraIdentity, setUserRole } from "./service";

let db: Db;
beforeAll(() => {
  ({ db } = makeStore());
});
afterAll(() => db.$disconnect());

async function twoAdmins(): Promise<[Actor, Actor]> {
  await db.user.deleteMany({});
  const a = await db.user.create({ data: { email: "a@t.test", role: "admin" } });
  const b = await db.user.create({ data: { email: "b@t.test", role: "admin" } });
  return [{ ...a, role: "admin" }, { ...b, role: "admin" }];
}

const settled = (ps: Promise<unknown>[]) => Promise.allSettled(ps);

describe("the last admin", () => {
  beforeEach(async () => {
    await db.user.deleteMany({});
  });

  it("cannot be demoted", async () => {
    const [a, b] = await twoAdmins();
    await setUserRole(db, a, { id: b.id, role: "viewer" });
    await expect(setUserRole(db, a, { id: a.id, role: "viewer" })).rejects.toThrow(/last admin/);
    expect(await db.user.count({ where: { role: "admin" } })).toBe(1);
  });

  it("survives two admins demoting each other at the same time", async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await twoAdmins();
      const results = await settled([setUserRole(db, a, { id: b.id, role: "viewer" }), setUserRole(db, b, { id: a.id, role: "viewer" })]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(String(refused.reason)).toMatch(/last admin/);
      expect(await db.user.count({ where: { role: "admin" } })).toBe(1);
    }
  });

  it("survives two admins deleting each other at the same time", async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await twoAdmins();
      const results = await settled([deleteUser(db, a, b.id), deleteUser(db, b, a.id)]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(await db.user.count({ where: { role: "admin" } })).toBe(1);
    }
  });

  it("survives a demotion and a deletion at the same time", async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await twoAdmins();
      await settled([setUserRole(db, b, { id: b.id, role: "viewer" }), deleteUser(db, b, a.id)]);
      expect(await db.user.count({ where: { role: "admin" } })).toBe(1);
    }
  });
});

describe("linking an Entra ID identity", () => {
  it("links any user (also a local one), ends their sessions, refuses a taken identity and bad ids, unlinks", async () => {
    const [a] = await twoAdmins();
    const local = await db.user.create({ data: { email: "local@t.test", role: "viewer", passwordHash: "x" } });
    const identity = { entraObjectId: "11111111-2222-4333-8444-555555555555", entraTenantId: "72F988BF-86F1-41AF-91AB-2D7CD011DB47" };
    const linked = await setEntraIdentity(db, a, { id: local.id, ...identity });
    expect(linked.entra).toEqual({ objectId: identity.entraObjectId, tenantId: identity.entraTenantId.toLowerCase() });
    expect(linked.hasPassword).toBe(true);
    expect((await db.user.findUniqueOrThrow({ where: { id: local.id } })).tokenVersion).toBe(1);
    await expect(setEntraIdentity(db, a, { id: a.id, ...identity })).rejects.toThrow(/already linked to another user/);
    const bad = await setEntraIdentity(db, a, { id: a.id, entraObjectId: "nope", entraTenantId: "" }).catch((e) => e);
    expect(Object.keys(bad.fieldErrors).sort()).toEqual(["entraObjectId", "entraTenantId"]);
    await expect(setEntraIdentity(db, { ...a, role: "viewer" }, { id: local.id, entraObjectId: "", entraTenantId: "" })).rejects.toThrow(/Only admins/);
    expect((await setEntraIdentity(db, a, { id: local.id, entraObjectId: "", entraTenantId: "" })).entra).toBeNull();
  });
});
