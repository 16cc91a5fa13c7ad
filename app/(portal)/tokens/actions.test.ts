// The token actions check the session and the role on the server: anonymous and viewer calls are
// refused and write nothing; an admin's token works against the API and stops when revoked.
import { afterAll, describe, expect, it, vi } from "vitest";
import { freshActionStore } from "@/lib/testing/action-store";

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock("next-auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next-auth")>()),
  getServerSession: async () => session.current,
}));

const store = await freshActionStore("token-actions");
const { db, adminId, viewerId, contributorId } = store;
const { apiActor } = await import("@/lib/api/auth");
const { createTokenAction, revokeTokenAction } = await import("./actions");

afterAll(() => store.close());

const bearer = (token: string) => new Request("http://x.test/crm/exporter/profiles", { headers: { Authorization: `Bearer ${token}` } });

describe("API token actions", () => {
  it("refuse anonymous and viewer callers, writing nothing", async () => {
    session.current = null;
    expect(await createTokenAction({ name: "x", role: "admin" })).toMatchObject({ ok: false, error: "Sign in to continue." });
    for (const id of [viewerId, contributorId]) {
      session.current = { user: { id } };
      expect(await createTokenAction({ name: "x", role: "admin" })).toMatchObject({ ok: false, error: expect.stringMatching(/Only admins/) });
    }
    expect(await db.apiToken.count()).toBe(0);
  });

  it("let an admin create a token shown once, and revoke it", async () => {
    session.current = { user: { id: adminId } };
    const bad = await createTokenAction({ name: "", role: "root" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.fieldErrors ?? {}).sort()).toEqual(["name", "role"]);

    const created = await createTokenAction({ name: "deploy", role: "admin" });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.data.summary).toMatchObject({ name: "deploy", role: "admin", createdBy: "admin@t.test" });
    expect((await apiActor(db, bearer(created.data.token))).role).toBe("admin");
    const contributorToken = await createTokenAction({ name: "analyst", role: "contributor" });
    expect(contributorToken.ok && (await apiActor(db, bearer(contributorToken.data.token))).role).toBe("contributor");

    session.current = { user: { id: viewerId } };
    expect((await revokeTokenAction(created.data.summary.id)).ok).toBe(false);
    session.current = { user: { id: adminId } };
    const revoked = await revokeTokenAction(created.data.summary.id);
    expect(revoked).toMatchObject({ ok: true, data: { revokedAt: expect.any(String) } });
    await expect(apiActor(db, bearer(created.data.token))).rejects.toThrow(/revoked/);
  });
});
