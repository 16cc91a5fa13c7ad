// REST for alerts: anyone reads a profile's rules, channels and history; only admin tokens add,
// change and remove them and send test alerts (the same services as the portal); a channel's
// secret (webhook URL, SMTP password) is never in an answer, and an edit keeps it unless given.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-api-alerts-"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;

const { migrateStore } = await import("@/lib/store/migrate");
migrateStore();
const { db } = await import("@/lib/db");
const { createApiToken } = await import("@/lib/api/tokens");
const { decryptSecret } = await import("@/lib/secrets");
const { admin } = await import("@/lib/profiles/test-helpers");
const { startWebhookReceiver } = await import("@/lib/alerts/test-servers");
const overview = await import("./profiles/[id]/alerts/route");
const rules = await import("./profiles/[id]/alerts/rules/route");
const rule = await import("./profiles/[id]/alerts/rules/[ruleId]/route");
const channels = await import("./profiles/[id]/alerts/channels/route");
const channel = await import("./profiles/[id]/alerts/channels/[channelId]/route");
const test = await import("./profiles/[id]/alerts/channels/[channelId]/test/route");

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Params = { id: string; ruleId?: string; channelId?: string };
type Handler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>; // eslint-disable-line @typescript-eslint/no-explicit-any
const tokens: Record<"admin" | "contributor" | "viewer", string> = { admin: "", contributor: "", viewer: "" };
let profileId = "";
const hook = await startWebhookReceiver();

async function call(handler: Handler, method: string, who: keyof typeof tokens, params: Params, body?: unknown) {
  const headers: Record<string, string> = { Authorization: `Bearer ${tokens[who]}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const req = new Request(`http://api.test/crm/exporter/profiles/${params.id}/alerts`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const res = await handler(req, { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Json, text };
}

beforeAll(async () => {
  for (const role of ["admin", "contributor", "viewer"] as const) tokens[role] = (await createApiToken(db, admin, { name: role, role })).token;
  const org = await db.organization.create({ data: { name: "Contoso", url: "https://contoso.crm.dynamics.com" } });
  profileId = (await db.profile.create({ data: { name: "Sales", organizationId: org.id, destinationType: "sqlite" } })).id;
});
afterAll(async () => {
  await hook.close();
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("REST alerts", () => {
  it("admins add rules and channels, everyone reads them without secrets, others may not change anything", async () => {
    const id = profileId;
    for (const who of ["contributor", "viewer"] as const) {
      expect((await call(rules.POST, "POST", who, { id }, { Kind: "lag", Threshold: 30 })).status).toBe(403);
      expect((await call(channels.POST, "POST", who, { id }, { Kind: "webhook", Name: "x", Url: hook.url("/x") })).status).toBe(403);
    }
    const bad = await call(rules.POST, "POST", "admin", { id }, { Kind: "lag", Threshold: 0 });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(["Threshold"]);
    expect((await call(rules.POST, "POST", "admin", { id: "00000000-0000-4000-8000-000000000000" }, { Kind: "lag" })).status).toBe(404);

    const r = await call(rules.POST, "POST", "admin", { id }, { Kind: "credentials-expiry", Threshold: 10 });
    expect(r).toMatchObject({ status: 201, body: { Kind: "credentials-expiry", Threshold: 10, Description: "Client secret expires within 10 days", Enabled: true } });
    const secretUrl = hook.url("/ops?token=very-secret");
    const c = await call(channels.POST, "POST", "admin", { id }, { Kind: "webhook", Name: "ops", Url: secretUrl, Format: "teams" });
    expect(c).toMatchObject({ status: 201, body: { Name: "ops", Kind: "webhook", Description: "Microsoft Teams webhook" } });
    expect(c.text).not.toContain("very-secret");

    for (const who of ["viewer", "admin"] as const) {
      const o = await call(overview.GET, "GET", who, { id });
      expect(o.status).toBe(200);
      expect(o.body).toMatchObject({ ProfileId: id, Rules: [{ Id: r.body.Id, Kind: "credentials-expiry" }], Channels: [{ Id: c.body.Id, Name: "ops" }], Alerts: [], Tests: [] });
      expect(o.text).not.toContain("very-secret");
    }

    // The test alert reaches the webhook; a viewer may not send one.
    expect((await call(test.POST, "POST", "viewer", { id, channelId: c.body.Id })).status).toBe(403);
    expect(await call(test.POST, "POST", "admin", { id, channelId: c.body.Id })).toMatchObject({ status: 200, body: { ChannelName: "ops", Sent: true } });
    expect(hook.posts.filter((p) => p.path.startsWith("/ops"))).toHaveLength(1);
    expect((await call(overview.GET, "GET", "viewer", { id })).body.Tests).toMatchObject([{ ChannelName: "ops", Event: "test", Ok: true }]);

    // An edit without Url keeps the secret; a new Url replaces it; the kind cannot change.
    const renamed = await call(channel.PUT, "PUT", "admin", { id, channelId: c.body.Id }, { Kind: "webhook", Name: "ops (Slack)", Format: "slack" });
    expect(renamed).toMatchObject({ status: 200, body: { Name: "ops (Slack)", Description: "Slack webhook" } });
    const stored = () => db.alertChannel.findUniqueOrThrow({ where: { id: c.body.Id } });
    expect(decryptSecret((await stored()).secretEnc!)).toBe(secretUrl);
    await call(channel.PUT, "PUT", "admin", { id, channelId: c.body.Id }, { Kind: "webhook", Name: "ops (Slack)", Format: "slack", Url: hook.url("/new") });
    expect(decryptSecret((await stored()).secretEnc!)).toBe(hook.url("/new"));
    const kind = await call(channel.PUT, "PUT", "admin", { id, channelId: c.body.Id }, { Kind: "email", Name: "x", Host: "smtp.example.com", From: "a@example.com", To: ["b@example.com"] });
    expect(kind.status).toBe(400);
    expect(kind.body.error.fields).toHaveProperty("Kind");
    expect((await call(channel.PUT, "PUT", "viewer", { id, channelId: c.body.Id }, { Kind: "webhook", Name: "x" })).status).toBe(403);
    const audit = await db.auditEvent.findMany({ where: { action: "alert.channel_update", objectId: c.body.Id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => JSON.parse(a.after!).secret ?? null)).toEqual([null, "[redacted]"]);
    expect(JSON.stringify(audit)).not.toContain("/new");

    // Removal: 204, then 404.
    expect((await call(rule.DELETE, "DELETE", "viewer", { id, ruleId: r.body.Id })).status).toBe(403);
    expect((await call(rule.DELETE, "DELETE", "admin", { id, ruleId: r.body.Id })).status).toBe(204);
    expect((await call(rule.DELETE, "DELETE", "admin", { id, ruleId: r.body.Id })).status).toBe(404);
    expect((await call(channel.DELETE, "DELETE", "admin", { id, channelId: c.body.Id })).status).toBe(204);
    expect((await call(channel.DELETE, "DELETE", "admin", { id, channelId: "not-an-id" })).status).toBe(404);
    expect((await call(overview.GET, "GET", "viewer", { id })).body).toMatchObject({ Rules: [], Channels: [] });
  });
});
