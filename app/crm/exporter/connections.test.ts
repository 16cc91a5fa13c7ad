// REST for connections (issue 13): admins define them (secret write-only, agreement recorded);
// contributor and viewer tokens list the shared ones by name and type only; a contributor token
// creates an export over a shared connection (DestinationType taken from it); a connection with
// exports is not removed (409) until they are detached (inactive).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Json } from "@/lib/testing/rest-call";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-api-connections-"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;

const { migrateStore } = await import("@/lib/store/migrate");
migrateStore();
const { db } = await import("@/lib/db");
const { createApiToken } = await import("@/lib/api/tokens");
const { encryptSecret } = await import("@/lib/secrets");
const { admin } = await import("@/lib/profiles/test-helpers");
const { restCaller } = await import("@/lib/testing/rest-call");
const connections = await import("./connections/route");
const connection = await import("./connections/[id]/route");
const profiles = await import("./profiles/route");
const detach = await import("./profiles/[id]/detach/route");

const tokens: Record<"admin" | "contributor" | "viewer", string> = { admin: "", contributor: "", viewer: "" };
let orgId = "";
const lake = path.join(dir, "lake");

const call = restCaller(tokens);

beforeAll(async () => {
  fs.mkdirSync(lake);
  for (const role of ["admin", "contributor", "viewer"] as const) tokens[role] = (await createApiToken(db, admin, { name: role, role })).token;
  orgId = (await db.organization.create({
    data: { name: "Contoso", url: "https://contoso.crm.dynamics.com", staticTokenEnc: encryptSecret("t"), privacyAcceptedAt: new Date(), privacyAcceptedBy: "admin@t.test" },
  })).id;
});
afterAll(async () => {
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("REST connections", () => {
  let id = "";
  let profileId = "";
  const body = { Name: "Lake for analysts", DestinationType: "datalake", ConnectionString: `lake:${lake}`, SharedWithContributors: true, AgreeToDataPrivacyAndCompliance: true };

  it("refuse a contributor or viewer token any change (403), and bad input with the API's field names (400)", async () => {
    for (const who of ["contributor", "viewer"] as const) expect((await call(connections.POST, "POST", "connections", who, { body })).status).toBe(403);
    const bad = await call(connections.POST, "POST", "connections", "admin", { body: { ...body, Name: "", AgreeToDataPrivacyAndCompliance: false } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toMatchObject({ Name: "Enter a display name.", AgreeToDataPrivacyAndCompliance: expect.stringMatching(/Agree/) });
    expect(await db.connection.count()).toBe(0);
  });

  it("create (201) without ever answering the secret; a second with that name is 409", async () => {
    const r = await call(connections.POST, "POST", "connections", "admin", { body });
    expect(r.status).toBe(201);
    id = r.body.Id;
    expect(r.body).toMatchObject({ Name: "Lake for analysts", DestinationType: "datalake", SharedWithContributors: true, TermsAcceptedBy: "token:admin", Exports: [] });
    expect(r.body).not.toHaveProperty("ConnectionString");
    const dup = await call(connections.POST, "POST", "connections", "admin", { body });
    expect(dup.status).toBe(409);
    expect(dup.body.error.fields ?? {}).toEqual({});
  });

  it("show contributors and viewers name and type only", async () => {
    for (const who of ["contributor", "viewer"] as const) {
      expect((await call(connections.GET, "GET", "connections", who)).body).toEqual([{ Id: id, Name: "Lake for analysts", DestinationType: "datalake" }]);
      expect((await call(connection.GET, "GET", `connections/${id}`, who, { id })).body).toEqual({ Id: id, Name: "Lake for analysts", DestinationType: "datalake" });
    }
  });

  it("let a contributor token create an export over it, the type taken from the connection", async () => {
    const r = await call(profiles.POST, "POST", "profiles", "contributor", { body: { Name: "Analyst export", OrganizationId: orgId, ConnectionId: id, Entities: ["account"] } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    profileId = r.body.Id;
    expect(r.body).toMatchObject({ DestinationType: "datalake", Connection: { Id: id, Name: "Lake for analysts", DestinationType: "datalake" } });
    const missing = await call(profiles.POST, "POST", "profiles", "contributor", { body: { Name: "Other", OrganizationId: orgId, ConnectionId: crypto.randomUUID(), Entities: ["account"] } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toMatchObject({ ConnectionId: expect.any(String) });
  });

  it("un-share: the export stays; contributors no longer see the connection", async () => {
    const r = await call(connection.PUT, "PUT", `connections/${id}`, "admin", { id, body: { SharedWithContributors: false } });
    expect(r.status).toBe(200);
    expect(r.body.Exports).toEqual([{ Id: profileId, Name: "Analyst export", State: "Draft".toLowerCase() }]);
    expect((await call(connections.GET, "GET", "connections", "contributor")).body).toEqual([]);
    expect((await call(connection.GET, "GET", `connections/${id}`, "contributor", { id })).status).toBe(404);
  });

  it("refuse removal while an export uses it (409); detach makes the export inactive; then remove (204)", async () => {
    const refused = await call(connection.DELETE, "DELETE", `connections/${id}`, "admin", { id });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/"Analyst export"/);
    expect((await call(detach.POST, "POST", `profiles/${profileId}/detach`, "contributor", { id: profileId })).status).toBe(403);
    const d = await call(detach.POST, "POST", `profiles/${profileId}/detach`, "admin", { id: profileId });
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ State: "Inactive", Connection: null, HasDestinationConnectionString: false });
    expect((await call(connection.DELETE, "DELETE", `connections/${id}`, "admin", { id })).status).toBe(204);
    expect(await db.connection.count()).toBe(0);
    expect(await db.profile.count()).toBe(1);
  });
});
