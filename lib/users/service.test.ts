// User management rules that must hold under concurrency: the portal never ends up without an admin.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import { makeStore } from "../sync/test-support";
import { deleteUser, setUserRole } from "./service";

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
