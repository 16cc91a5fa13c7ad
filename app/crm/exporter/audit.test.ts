// GET /crm/exporter/audit through the route handler: admins only (401 without a token, 403 for a
// viewer token), filters, keyset pages, CSV with the formula guard; and an action taken through
// the REST API is recorded with the token as the actor and the caller's address.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-audit-api-"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;
delete process.env.TRUST_PROXY;

const { migrateStore } = await import("@/lib/store/migrate");
migrateStore();
const { db } = await import("@/lib/db");
const { createApiToken } = await import("@/lib/api/tokens");
const { admin } = await import("@/lib/profiles/test-helpers");
const { createUser } = await import("@/lib/users/service");
const audit = await import("./audit/route");
const acceptTerms = await import("./metadata/acceptprivacyterms/route");

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const BASE = "http://api.test/crm/exporter";
let adminToken = "";
let viewerToken = "";
let orgId = "";

beforeAll(async () => {
  adminToken = (await createApiToken(db, admin, { name: "auditor", role: "admin" })).token;
  viewerToken = (await createApiToken(db, admin, { name: "reader", role: "viewer" })).token;
  for (let i = 0; i < 5; i++) await createUser(db, { ...admin, ip: "198.51.100.1" }, { email: `user${i}@audit.test`, password: "a-good-password", role: "viewer" });
  await createUser(db, admin, { email: "formula@audit.test", password: "a-good-password", role: "viewer" });
  // A name a spreadsheet would run as a formula.
  await createApiToken(db, admin, { name: "=HYPERLINK(\"http://evil.example\")", role: "viewer" });
  orgId = (await db.organization.create({ data: { name: "Contoso", url: "https://contoso.crm.dynamics.com" } })).id;
});
afterAll(async () => {
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function get(query: string, token: string | null = adminToken): Promise<{ status: number; body: Json; text: string; res: Response }> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await audit.GET(new Request(`${BASE}/audit${query}`, { headers }));
  const text = await res.text();
  let body: Json = {};
  try {
    body = JSON.parse(text);
  } catch {
    // CSV
  }
  return { status: res.status, body, text, res };
}

describe("GET /crm/exporter/audit", () => {
  it("401 without a token, 403 for a viewer token", async () => {
    const anon = await get("", null);
    expect(anon.status).toBe(401);
    expect(anon.res.headers.get("www-authenticate")).toMatch(/Bearer/);
    const viewer = await get("", viewerToken);
    expect(viewer.status).toBe(403);
    expect(viewer.body.error.code).toBe("Forbidden");
    expect(viewer.text).not.toContain("user0@audit.test");
  });

  it("200 for an admin token: newest first, PascalCase, keyset pages that cover everything once", async () => {
    const first = await get("?action=user.create&limit=4");
    expect(first.status).toBe(200);
    expect(first.res.headers.get("cache-control")).toBe("no-store");
    expect(first.body.Entries).toHaveLength(4);
    expect(first.body.Entries[0]).toMatchObject({ Action: "user.create", ActorKind: "user", Actor: admin.email, ObjectType: "user", ObjectName: "formula@audit.test", Before: null });
    expect(first.body.Entries[1]).toMatchObject({ ObjectName: "user4@audit.test", IpAddress: "198.51.100.1", After: { email: "user4@audit.test", role: "viewer" } });
    expect(first.body.NextCursor).toEqual(expect.any(String));
    const second = await get(`?action=user.create&limit=4&cursor=${first.body.NextCursor}`);
    expect(second.body.Entries.map((e: Json) => e.ObjectName)).toEqual(["user1@audit.test", "user0@audit.test"]);
    expect(second.body.NextCursor).toBeNull();
  });

  it("filters by who, action family, object type, object and time range", async () => {
    const byObject = await get("?object=user3@audit");
    expect(byObject.body.Entries.map((e: Json) => e.ObjectName)).toEqual(["user3@audit.test"]);
    const byActor = await get("?actor=token:auditor");
    expect(byActor.body.Entries).toEqual([]);
    const family = await get("?action=token");
    expect(family.body.Entries.map((e: Json) => e.ObjectName).sort()).toEqual(["=HYPERLINK(\"http://evil.example\")", "auditor", "reader"]);
    expect((await get("?objectType=token")).body.Entries).toHaveLength(3);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await get(`?from=${encodeURIComponent(future)}`)).body.Entries).toEqual([]);
    expect((await get(`?to=${encodeURIComponent(future)}&action=user.create`)).body.Entries).toHaveLength(6);
  });

  it("400 for a bad filter, naming the field", async () => {
    const bad = await get("?from=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.from).toMatch(/date and time/);
    expect((await get("?limit=1000")).status).toBe(400);
    expect((await get("?objectType=planet")).status).toBe(400);
    expect((await get("?format=xml")).status).toBe(400);
  });

  it("records an action taken through the REST API: the token is the actor, with the caller's address", async () => {
    const res = await acceptTerms.POST(
      new Request(`${BASE}/metadata/acceptprivacyterms?organizationId=${orgId}`, { method: "POST", headers: { Authorization: `Bearer ${adminToken}`, "x-dx-peer-address": "::ffff:192.0.2.44" } }),
    );
    expect(res.status).toBe(200);
    const entry = (await get("?action=organization.privacy_accept")).body.Entries[0];
    expect(entry).toMatchObject({ ActorKind: "token", Actor: "token:auditor", ObjectId: orgId, ObjectName: "Contoso", IpAddress: "192.0.2.44" });
    expect((await get("?actor=token:auditor")).body.Entries).toHaveLength(1);
  });

  it("format=csv: every matching entry, oldest first, a cell that would run as a formula defused", async () => {
    const csv = await get("?action=user.create&format=csv&limit=1");
    expect(csv.status).toBe(200);
    expect(csv.res.headers.get("content-type")).toMatch(/text\/csv/);
    expect(csv.res.headers.get("content-disposition")).toMatch(/attachment; filename="audit-.*\.csv"/);
    const lines = csv.text.trim().split("\r\n");
    expect(lines[0]).toBe("Time (UTC),Actor kind,Actor,Action,Object type,Object id,Object,Before,After,IP");
    expect(lines).toHaveLength(7);
    expect(lines[1]).toContain("user0@audit.test");
    expect(lines[6]).toContain("formula@audit.test");
    const tokenLine = (await get("?action=token.create&format=csv")).text.trim().split("\r\n").find((l) => l.includes("HYPERLINK"))!;
    expect(tokenLine).toContain(`,"'=HYPERLINK(""http://evil.example"")",`);
    expect((await get("?format=csv", viewerToken)).status).toBe(403);
  });
});
