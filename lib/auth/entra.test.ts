// Entra ID sign-in: users are their object id + tenant id, never the email claim; a local account
// is never taken over; new users only with ENTRA_AUTO_PROVISION, from allowed tenants.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freshActionStore, type ActionStore } from "../testing/action-store";
import { entraPolicy, resolveEntraSignIn, type EntraClaims } from "./entra";

const HOME = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER = "0a0b0c0d-1111-4222-8333-444444444444";
const oid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

let store: ActionStore;
beforeAll(async () => {
  process.env.AZURE_AD_TENANT_ID = HOME;
  process.env.AZURE_AD_CLIENT_ID = "0f6e2b0c-1111-2222-3333-444444444444";
  process.env.AZURE_AD_CLIENT_SECRET = "unused";
  store = await freshActionStore("entra");
  await store.db.user.update({ where: { id: store.adminId }, data: { passwordHash: "$2b$12$local.password.hash.of.the.admin.xxxxxxxxxxxxxxxxxxx" } });
});
afterAll(async () => {
  delete process.env.AZURE_AD_TENANT_ID;
  delete process.env.AZURE_AD_CLIENT_ID;
  delete process.env.AZURE_AD_CLIENT_SECRET;
  delete process.env.ENTRA_AUTO_PROVISION;
  await store.close();
});
beforeEach(async () => {
  delete process.env.ENTRA_AUTO_PROVISION;
  delete process.env.ENTRA_ALLOWED_TENANTS;
  await store.db.user.deleteMany({ where: { id: { notIn: [store.adminId, store.viewerId] } } });
});

/** The portal's own signIn callback, as NextAuth calls it after Microsoft's redirect. */
async function entraSignIn(claims: EntraClaims): Promise<{ result: string | boolean; uid?: string }> {
  const { authOptions } = await import("./options");
  const user = { id: String(claims.oid ?? "x"), email: String(claims.email ?? "") } as { id: string; email: string; uid?: string };
  const result = await authOptions().callbacks!.signIn!({ user, account: { provider: "azure-ad", type: "oauth", providerAccountId: user.id }, profile: claims as never });
  return { result, uid: user.uid };
}

describe("Entra ID sign-in", () => {
  it("never signs in as the local account whose email the claim names", async () => {
    for (const claims of [
      { oid: oid(1), tid: HOME, email: "admin@t.test" },
      { oid: oid(1), tid: HOME, preferred_username: "ADMIN@t.test" },
    ]) {
      const { result, uid } = await entraSignIn(claims);
      expect(result).toBe("/signin?error=EntraNotLinked");
      expect(uid).toBeUndefined();
    }
    process.env.ENTRA_AUTO_PROVISION = "true";
    expect((await entraSignIn({ oid: oid(1), tid: HOME, email: "admin@t.test" })).result).toBe("/signin?error=EntraEmailTaken");
    const admin = await store.db.user.findUniqueOrThrow({ where: { id: store.adminId } });
    expect(admin).toMatchObject({ role: "admin", entraObjectId: null, entraTenantId: null });
  });

  it("finds a linked user by object id + tenant id, whatever the email claim says now", async () => {
    const linked = await store.db.user.create({ data: { email: "ops@contoso.com", role: "admin", entraObjectId: oid(2), entraTenantId: HOME } });
    expect(await entraSignIn({ oid: oid(2), tid: HOME, email: "renamed@contoso.com" })).toEqual({ result: true, uid: linked.id });
    // The same object id in another tenant is someone else.
    process.env.ENTRA_ALLOWED_TENANTS = `${HOME},${OTHER}`;
    expect((await entraSignIn({ oid: oid(2), tid: OTHER, email: "ops@contoso.com" })).result).toBe("/signin?error=EntraNotLinked");
  });

  it("creates new users only with ENTRA_AUTO_PROVISION, as viewers with their identity", async () => {
    expect((await entraSignIn({ oid: oid(3), tid: HOME, email: "new@contoso.com" })).result).toBe("/signin?error=EntraNotLinked");
    expect(await store.db.user.count({ where: { email: "new@contoso.com" } })).toBe(0);
    process.env.ENTRA_AUTO_PROVISION = "true";
    const { result, uid } = await entraSignIn({ oid: oid(3), tid: HOME, email: "new@contoso.com", name: "New" });
    expect(result).toBe(true);
    expect(await store.db.user.findUniqueOrThrow({ where: { id: uid } })).toMatchObject({ email: "new@contoso.com", role: "viewer", entraObjectId: oid(3), entraTenantId: HOME, passwordHash: null });
    // No email claim at all: still an account, with a placeholder address.
    const bare = await entraSignIn({ oid: oid(4), tid: HOME });
    expect(bare.result).toBe(true);
  });

  it("refuses tenants outside the allow-list (default: the configured tenant) and tokens without oid/tid", async () => {
    process.env.ENTRA_AUTO_PROVISION = "true";
    expect((await entraSignIn({ oid: oid(5), tid: OTHER, email: "guest@fabrikam.com" })).result).toBe("/signin?error=EntraTenantNotAllowed");
    process.env.ENTRA_ALLOWED_TENANTS = OTHER;
    expect((await entraSignIn({ oid: oid(5), tid: OTHER, email: "guest@fabrikam.com" })).result).toBe(true);
    expect((await entraSignIn({ oid: oid(6), tid: HOME, email: "x@contoso.com" })).result).toBe("/signin?error=EntraTenantNotAllowed");
    expect((await entraSignIn({ tid: HOME, email: "x@contoso.com" })).result).toBe("/signin?error=EntraNoIdentity");
  });

  it("links an account made by an Entra sign-in of an earlier version (no password, no identity) once, from the home tenant", async () => {
    const legacy = await store.db.user.create({ data: { email: "legacy@contoso.com", role: "admin" } });
    process.env.ENTRA_ALLOWED_TENANTS = `${HOME},${OTHER}`;
    expect((await entraSignIn({ oid: oid(7), tid: OTHER, email: "legacy@contoso.com" })).result).toBe("/signin?error=EntraNotLinked");
    expect(await entraSignIn({ oid: oid(7), tid: HOME, email: "legacy@contoso.com" })).toEqual({ result: true, uid: legacy.id });
    expect(await store.db.user.findUniqueOrThrow({ where: { id: legacy.id } })).toMatchObject({ entraObjectId: oid(7), entraTenantId: HOME, role: "admin" });
    // Linked now: another identity with that email gets nothing.
    expect((await entraSignIn({ oid: oid(8), tid: HOME, email: "legacy@contoso.com" })).result).toBe("/signin?error=EntraNotLinked");
  });
});

describe("entraPolicy", () => {
  it("defaults to no auto-provisioning and the configured tenant; refuses nonsense", () => {
    expect(entraPolicy({ AZURE_AD_TENANT_ID: HOME })).toEqual({ autoProvision: false, allowedTenants: new Set([HOME]), homeTenantId: HOME });
    expect(entraPolicy({ AZURE_AD_TENANT_ID: "organizations", ENTRA_AUTO_PROVISION: "true" })).toEqual({ autoProvision: true, allowedTenants: new Set(), homeTenantId: null });
    expect(entraPolicy({ ENTRA_ALLOWED_TENANTS: ` ${OTHER.toUpperCase()} , ${HOME}` }).allowedTenants).toEqual(new Set([OTHER, HOME]));
    expect(() => entraPolicy({ ENTRA_AUTO_PROVISION: "maybe" })).toThrow(/ENTRA_AUTO_PROVISION/);
    expect(() => entraPolicy({ ENTRA_ALLOWED_TENANTS: "contoso.com" })).toThrow(/ENTRA_ALLOWED_TENANTS/);
  });

  it("resolveEntraSignIn takes the policy it is given", async () => {
    const r = await resolveEntraSignIn(store.db, { oid: oid(9), tid: OTHER, email: "p@fabrikam.com" }, { autoProvision: true, allowedTenants: new Set([OTHER]), homeTenantId: HOME });
    expect("user" in r && r.user.role).toBe("viewer");
  });
});
