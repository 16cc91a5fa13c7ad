// Bearer authentication of the REST API: API tokens (hashed, revocable, role-bound) and Entra ID
// access tokens, checked against a locally generated signing key served as the tenant's JWKS.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "../db";
import { ForbiddenError, UnauthorizedError, ValidationError } from "../errors";
import { admin, viewer } from "../profiles/test-helpers";
import { makeStore } from "../sync/test-support";
import { apiActor } from "./auth";
import { KEYS_COOLDOWN_MS, resetEntraKeyCache } from "./entra-token";
import { createApiToken, hashToken, listApiTokens, revokeApiToken } from "./tokens";

let db: Db;
beforeAll(() => {
  ({ db } = makeStore());
});
afterAll(() => db.$disconnect());

const req = (authorization?: string) => new Request("http://x.test/crm/exporter/profiles", { headers: authorization ? { Authorization: authorization } : {} });

describe("API tokens", () => {
  it("are shown once and stored only as a hash", async () => {
    const { token, summary } = await createApiToken(db, admin, { name: "  deploy  ", role: "admin" });
    expect(token).toMatch(/^dvx_[A-Za-z0-9_-]{43}$/);
    expect(summary).toMatchObject({ name: "deploy", role: "admin", createdBy: admin.email, revokedAt: null, lastUsedAt: null });
    expect(token.startsWith(summary.prefix)).toBe(true);
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: summary.id } });
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    const listed = await listApiTokens(db, admin);
    expect(JSON.stringify(listed)).not.toContain(row.tokenHash);
    expect(listed.find((t) => t.id === summary.id)).toEqual(summary);
  });

  it("default to viewer; only admins manage them; bad input names the field", async () => {
    expect((await createApiToken(db, admin, { name: "reader" })).summary.role).toBe("viewer");
    await expect(createApiToken(db, viewer, { name: "x" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listApiTokens(db, viewer)).rejects.toBeInstanceOf(ForbiddenError);
    const err = await createApiToken(db, admin, { name: "", role: "root" }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(Object.keys(err.fieldErrors).sort()).toEqual(["name", "role"]);
  });

  it("resolve to an actor with the token's role, record their use, and stop working when revoked", async () => {
    const { token, summary } = await createApiToken(db, admin, { name: "ci", role: "viewer" });
    const actor = await apiActor(db, req(`Bearer ${token}`));
    expect(actor).toMatchObject({ role: "viewer", email: "token:ci" });
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: summary.id } })).lastUsedAt).not.toBeNull();
    await expect(revokeApiToken(db, viewer, summary.id)).rejects.toBeInstanceOf(ForbiddenError);
    const revoked = await revokeApiToken(db, admin, summary.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect((await revokeApiToken(db, admin, summary.id)).revokedAt).toBe(revoked.revokedAt);
    await expect(apiActor(db, req(`Bearer ${token}`))).rejects.toThrow(/revoked/);
    await expect(revokeApiToken(db, admin, crypto.randomUUID())).rejects.toThrow(/does not exist/);
  });

  it("refuse a missing header, another scheme and an unknown token", async () => {
    await expect(apiActor(db, req())).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(apiActor(db, req("Basic abc"))).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(apiActor(db, req("Bearer dvx_unknown"))).rejects.toThrow(/not valid/);
    await expect(apiActor(db, req("Bearer a.b.c"))).rejects.toThrow(/not valid/);
  });
});

describe("Entra ID access tokens", () => {
  const tenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  const clientId = "0f6e2b0c-1111-2222-3333-444444444444";
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = "test-key-1";
  const jwks = { keys: [{ ...(publicKey.export({ format: "jwk" }) as object), kid, use: "sig", alg: "RS256" }] };
  let fetched = 0;
  const fakeFetch = (async (url: string | URL | Request) => {
    fetched++;
    expect(String(url)).toBe(`https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`);
    return new Response(JSON.stringify(jwks), { headers: { "Content-Type": "application/json" } });
  }) as typeof fetch;

  const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: "RS256", kid, typ: "JWT" }, key = privateKey) => {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const body = `${enc(header)}.${enc(claims)}`;
    return `${body}.${crypto.sign("RSA-SHA256", Buffer.from(body), key).toString("base64url")}`;
  };
  const now = Math.floor(Date.now() / 1000);
  const opsOid = "11111111-2222-4333-8444-555555555555";
  const good = { iss: `https://login.microsoftonline.com/${tenantId}/v2.0`, aud: clientId, exp: now + 600, nbf: now - 10, oid: opsOid, tid: tenantId, preferred_username: "Ops@Contoso.com", name: "Ops" };

  beforeAll(async () => {
    process.env.AZURE_AD_TENANT_ID = tenantId;
    process.env.AZURE_AD_CLIENT_ID = clientId;
    process.env.AZURE_AD_CLIENT_SECRET = "unused-here";
    await db.user.create({ data: { email: "ops@contoso.com", role: "admin", entraObjectId: opsOid, entraTenantId: tenantId } });
  });
  afterAll(() => {
    delete process.env.AZURE_AD_TENANT_ID;
    delete process.env.AZURE_AD_CLIENT_ID;
    delete process.env.AZURE_AD_CLIENT_SECRET;
  });

  it("maps a valid token to the portal user linked to its object id + tenant id, with that user's role", async () => {
    const actor = await apiActor(db, req(`Bearer ${sign(good)}`), { fetch: fakeFetch });
    expect(actor).toMatchObject({ email: "ops@contoso.com", role: "admin" });
    expect(await apiActor(db, req(`Bearer ${sign({ ...good, aud: `api://${clientId}`, iss: `https://sts.windows.net/${tenantId}/` })}`), { fetch: fakeFetch })).toMatchObject({ role: "admin" });
    expect(fetched).toBe(1); // keys are cached
  });

  it.each([
    ["another audience", { ...good, aud: "someone-else" }, /not for this API/],
    ["another tenant", { ...good, iss: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0" }, /another tenant/],
    ["expired", { ...good, exp: now - 3600 }, /expired/],
    ["not yet valid", { ...good, nbf: now + 3600 }, /not valid yet/],
    ["app-only", { ...good, idtyp: "app", preferred_username: undefined }, /names no user/],
    ["no object id", { ...good, oid: undefined }, /names no user/],
  ])("refuses a token for %s", async (_what, claims, message) => {
    await expect(apiActor(db, req(`Bearer ${sign(claims)}`), { fetch: fakeFetch })).rejects.toThrow(message);
  });

  it("refuses a forged signature, an unknown key and a non-RS256 token", async () => {
    const other = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    await expect(apiActor(db, req(`Bearer ${sign(good, undefined, other)}`), { fetch: fakeFetch })).rejects.toThrow(/signature/);
    await expect(apiActor(db, req(`Bearer ${sign(good, { alg: "RS256", kid: "nope" })}`), { fetch: fakeFetch })).rejects.toThrow(/not signed by a key/);
    await expect(apiActor(db, req(`Bearer ${sign(good, { alg: "none", kid })}`), { fetch: fakeFetch })).rejects.toThrow(/RS256/);
  });

  it("refetches the keys at most once a minute however many unknown key ids arrive", async () => {
    resetEntraKeyCache();
    const before = fetched;
    await apiActor(db, req(`Bearer ${sign(good)}`), { fetch: fakeFetch });
    expect(fetched).toBe(before + 1);
    const unknown = (i: number) => req(`Bearer ${sign(good, { alg: "RS256", kid: `made-up-${i}` })}`);
    for (let i = 0; i < 5; i++) await expect(apiActor(db, unknown(i), { fetch: fakeFetch })).rejects.toThrow(/not signed by a key/);
    expect(fetched).toBe(before + 1);
    vi.useFakeTimers({ now: Date.now() + KEYS_COOLDOWN_MS + 1000, toFake: ["Date"] });
    try {
      await expect(apiActor(db, unknown(9), { fetch: fakeFetch })).rejects.toThrow(/not signed by a key/);
      await expect(apiActor(db, unknown(10), { fetch: fakeFetch })).rejects.toThrow(/not signed by a key/);
      expect(fetched).toBe(before + 2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses a person who has no portal account (403)", async () => {
    const stranger = { ...good, oid: "99999999-2222-4333-8444-555555555555", preferred_username: "stranger@contoso.com" };
    await expect(apiActor(db, req(`Bearer ${sign(stranger)}`), { fetch: fakeFetch })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("never matches by email: another identity claiming the admin's email gets nothing (403)", async () => {
    const impostor = { ...good, oid: "99999999-2222-4333-8444-555555555555" }; // same preferred_username as the admin
    for (const claims of [impostor, { ...impostor, upn: "ops@contoso.com" }, { ...impostor, email: "ops@contoso.com" }]) {
      const err = await apiActor(db, req(`Bearer ${sign(claims)}`), { fetch: fakeFetch }).catch((e) => e);
      expect(err).toBeInstanceOf(ForbiddenError);
      expect(err.message).toMatch(/not linked to a portal user/);
    }
    // The admin still signs in after changing their email in Entra ID.
    expect(await apiActor(db, req(`Bearer ${sign({ ...good, preferred_username: "renamed@contoso.com" })}`), { fetch: fakeFetch })).toMatchObject({ email: "ops@contoso.com", role: "admin" });
  });
});
