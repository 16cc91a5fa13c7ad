// Sign-out revokes the session: a copy of the session cookie taken before signing out stops
// working after it. Driven through NextAuth's own request handler (the code getServerSession and
// /api/auth/* run), with this portal's options, on a fresh store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthHandler } from "../testing/next-auth-handler";
import { freshActionStore, type ActionStore } from "../testing/action-store";

process.env.NEXTAUTH_URL = "http://portal.test";
process.env.NEXTAUTH_SECRET = "a-test-secret-that-is-long-enough-to-sign-cookies";

let store: ActionStore;
beforeAll(async () => {
  store = await freshActionStore("revocation");
});
afterAll(() => store.close());

type Jar = Record<string, string>;

async function auth(action: string, opts: { jar: Jar; method?: "GET" | "POST"; providerId?: string; body?: Record<string, unknown> }) {
  const { authOptions } = await import("./options");
  const res = await AuthHandler({
    req: {
      action,
      providerId: opts.providerId,
      method: opts.method ?? "GET",
      cookies: { ...opts.jar },
      headers: { host: "portal.test" },
      body: opts.body ?? {},
      query: {},
    },
    options: authOptions(),
  });
  for (const c of res.cookies ?? []) {
    if (c.options?.maxAge === 0 || c.value === "") delete opts.jar[c.name];
    else opts.jar[c.name] = c.value;
  }
  return res;
}

async function signIn(email: string, password: string): Promise<Jar> {
  const jar: Jar = {};
  const csrf = await auth("csrf", { jar });
  const csrfToken = (csrf.body as { csrfToken: string }).csrfToken;
  const res = await auth("callback", { jar, method: "POST", providerId: "credentials", body: { email, password, csrfToken, callbackUrl: "/" } });
  expect(res.redirect).not.toMatch(/error/);
  expect(Object.keys(jar)).toContain("next-auth.session-token");
  return jar;
}

async function sessionUserId(cookies: Jar): Promise<string | undefined> {
  const res = await auth("session", { jar: { ...cookies } });
  return (res.body as { user?: { id?: string } }).user?.id;
}

async function signOut(jar: Jar) {
  const csrfToken = (((await auth("csrf", { jar })).body) as { csrfToken: string }).csrfToken;
  await auth("signout", { jar, method: "POST", body: { csrfToken, callbackUrl: "/" } });
}

describe("sign-out", () => {
  const password = "a-good-password-1";

  beforeAll(async () => {
    const { hashPassword } = await import("./password");
    await store.db.user.update({ where: { id: store.viewerId }, data: { passwordHash: await hashPassword(password) } });
  });

  it("makes a copied session cookie stop working", async () => {
    const jar = await signIn("viewer@t.test", password);
    const copied = { "next-auth.session-token": jar["next-auth.session-token"] };
    expect(await sessionUserId(copied)).toBe(store.viewerId);
    await signOut(jar);
    expect(jar["next-auth.session-token"]).toBeUndefined();
    expect(await sessionUserId(copied)).toBeUndefined();
    // The audit log has the sign-in and the sign-out (lib/audit).
    expect(await store.db.auditEvent.count({ where: { action: "auth.sign_in", actorId: store.viewerId } })).toBe(1);
    expect(await store.db.auditEvent.findFirst({ where: { action: "auth.sign_out" }, select: { actorId: true, actorLabel: true } })).toEqual({ actorId: store.viewerId, actorLabel: "viewer@t.test" });
    // Signing in again gives a working session; the old copy stays dead.
    const again = await signIn("viewer@t.test", password);
    expect(await sessionUserId(again)).toBe(store.viewerId);
    expect(await sessionUserId(copied)).toBeUndefined();
  });

  it("a role change and a deleted user end the session too", async () => {
    const { setUserRole, deleteUser } = await import("../users/service");
    const admin = { id: store.adminId, email: "admin@t.test", name: null, role: "admin" as const };
    const jar = await signIn("viewer@t.test", password);
    expect(await sessionUserId(jar)).toBe(store.viewerId);
    await setUserRole(store.db, admin, { id: store.viewerId, role: "viewer" }); // unchanged: session kept
    expect(await sessionUserId(jar)).toBe(store.viewerId);
    await setUserRole(store.db, admin, { id: store.viewerId, role: "admin" });
    expect(await sessionUserId(jar)).toBeUndefined();
    const after = await signIn("viewer@t.test", password);
    expect(await sessionUserId(after)).toBe(store.viewerId);
    await deleteUser(store.db, admin, store.viewerId);
    expect(await sessionUserId(after)).toBeUndefined();
  });
});
