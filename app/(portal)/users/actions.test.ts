// The server actions check the session and the role themselves: a viewer's (or an anonymous)
// call is refused on the server and writes nothing, whatever the page showed.
import { afterAll, describe, expect, it, vi } from "vitest";
import { freshActionStore } from "@/lib/testing/action-store";

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock("next-auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next-auth")>()),
  getServerSession: async () => session.current,
}));

const store = await freshActionStore("user-actions");
const { db, adminId, viewerId, contributorId } = store;
const { createUserAction, deleteUserAction, setUserRoleAction } = await import("./actions");

afterAll(() => store.close());

const newUser = { email: "new@t.test", password: "a-good-password", role: "admin" };

describe("users server actions", () => {
  it("refuse an anonymous caller", async () => {
    session.current = null;
    expect(await createUserAction(newUser)).toEqual({ ok: false, error: "Sign in to continue.", fieldErrors: undefined });
    expect(await db.user.count()).toBe(3);
  });

  it.each(["viewer", "contributor"])("refuse a %s, for every mutation, and write nothing", async (role) => {
    session.current = { user: { id: role === "viewer" ? viewerId : contributorId } };
    for (const result of [
      await createUserAction(newUser),
      await setUserRoleAction({ id: viewerId, role: "admin" }),
      await deleteUserAction(adminId),
    ]) {
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toMatch(/Only admins/);
    }
    expect(await db.user.count()).toBe(3);
    expect((await db.user.findUniqueOrThrow({ where: { id: viewerId } })).role).toBe("viewer");
  });

  it("let an admin create a user, with field errors for bad input", async () => {
    session.current = { user: { id: adminId } };
    const bad = await createUserAction({ email: "x".repeat(10_000), password: "", role: "viewer" });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.fieldErrors).toMatchObject({ email: expect.stringMatching(/254/), password: "Enter a password." });
    expect(await db.user.count()).toBe(3);
    const good = await createUserAction(newUser);
    expect(good.ok).toBe(true);
    expect(await db.user.count({ where: { email: "new@t.test", role: "admin" } })).toBe(1);
    const contributor = await createUserAction({ ...newUser, email: "analyst@t.test", role: "contributor" });
    expect(contributor).toMatchObject({ ok: true, data: { role: "contributor" } });
    const unknownRole = await createUserAction({ ...newUser, email: "root@t.test", role: "root" });
    expect(unknownRole).toMatchObject({ ok: false, fieldErrors: { role: "Role must be admin, contributor or viewer." } });
  });

  it("keep the last admin an admin", async () => {
    session.current = { user: { id: adminId } };
    await db.user.deleteMany({ where: { email: "new@t.test" } });
    const result = await setUserRoleAction({ id: adminId, role: "viewer" });
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/last admin/) });
  });
});
