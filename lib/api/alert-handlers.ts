import "server-only";
// REST for a profile's alerts, PascalCase like the rest of the API, through the same services as
// the portal (lib/alerts/service.ts): anyone may read the rules, channels and history; admins add,
// change and remove rules and channels and send test alerts. A channel's secret (webhook URL,
// SMTP password) is write-only: no answer carries it.
import type { AlertChannelView, AlertDeliveryView, AlertRuleView, AlertsOverview } from "../alerts/service";
import { createAlertChannel, createAlertRule, deleteAlertChannel, deleteAlertRule, getAlerts, sendTestAlert, updateAlertChannel } from "../alerts/service";
import { db } from "../db";
import { NotFoundError } from "../errors";
import { readJson } from "../http/route-result";
import { fromApiFields, withApiFieldNames } from "./field-names";
import { apiRoute, profileIdFrom } from "./route";

/** Our field name → the API's. */
export const RULE_FIELDS: Record<string, string> = { kind: "Kind", threshold: "Threshold" };
export const CHANNEL_FIELDS: Record<string, string> = {
  kind: "Kind", name: "Name", url: "Url", format: "Format", host: "Host", port: "Port", security: "Security", user: "User", password: "Password", from: "From", to: "To",
};

export const desRule = (r: AlertRuleView) => ({ Id: r.id, Kind: r.kind, Threshold: r.threshold, Description: r.description, Enabled: r.enabled });
export const desChannel = (c: AlertChannelView) => ({ Id: c.id, Name: c.name, Kind: c.kind, Description: c.description });
const desDelivery = (d: AlertDeliveryView) => ({ Id: d.id, ChannelName: d.channelName, Event: d.event, Ok: d.ok, Attempts: d.attempts, Error: d.error, At: d.at });

export function desAlerts(o: AlertsOverview) {
  return {
    ProfileId: o.profileId,
    Rules: o.rules.map(desRule),
    Channels: o.channels.map(desChannel),
    Alerts: o.alerts.map((a) => ({
      Id: a.id, Kind: a.kind, Subject: a.subject || null, Message: a.message, Open: a.open, FiredOn: a.firedAt, ResolvedOn: a.resolvedAt, Deliveries: a.deliveries.map(desDelivery),
    })),
    Tests: o.tests.map(desDelivery),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function objectIdFrom(id: string, what: string): string {
  if (!UUID.test(id)) throw new NotFoundError(`That alert ${what} does not exist.`);
  return id;
}

type Ctx<K extends string = never> = { params: Promise<{ id: string } & Record<K, string>> };

export const overview = (req: Request, ctx: Ctx) =>
  apiRoute("GET profiles/{id}/alerts", req, async (actor) => desAlerts(await getAlerts(db, actor, profileIdFrom((await ctx.params).id))));

export const createRule = (req: Request, ctx: Ctx) =>
  apiRoute("POST profiles/{id}/alerts/rules", req, async (actor) => {
    const id = profileIdFrom((await ctx.params).id);
    const body = fromApiFields(await readJson(req), RULE_FIELDS, "alert rule");
    return desRule(await withApiFieldNames(RULE_FIELDS, () => createAlertRule(db, actor, id, body)));
  }, 201);

export const deleteRule = (req: Request, ctx: Ctx<"ruleId">) =>
  apiRoute("DELETE profiles/{id}/alerts/rules/{ruleId}", req, async (actor) => {
    const p = await ctx.params;
    await deleteAlertRule(db, actor, profileIdFrom(p.id), objectIdFrom(p.ruleId, "rule"));
    return undefined;
  });

export const createChannel = (req: Request, ctx: Ctx) =>
  apiRoute("POST profiles/{id}/alerts/channels", req, async (actor) => {
    const id = profileIdFrom((await ctx.params).id);
    const body = fromApiFields(await readJson(req), CHANNEL_FIELDS, "alert channel");
    return desChannel(await withApiFieldNames(CHANNEL_FIELDS, () => createAlertChannel(db, actor, id, body)));
  }, 201);

export const updateChannel = (req: Request, ctx: Ctx<"channelId">) =>
  apiRoute("PUT profiles/{id}/alerts/channels/{channelId}", req, async (actor) => {
    const p = await ctx.params;
    const id = profileIdFrom(p.id);
    const channelId = objectIdFrom(p.channelId, "channel");
    const body = fromApiFields(await readJson(req), CHANNEL_FIELDS, "alert channel");
    return desChannel(await withApiFieldNames(CHANNEL_FIELDS, () => updateAlertChannel(db, actor, id, channelId, body)));
  });

export const deleteChannel = (req: Request, ctx: Ctx<"channelId">) =>
  apiRoute("DELETE profiles/{id}/alerts/channels/{channelId}", req, async (actor) => {
    const p = await ctx.params;
    await deleteAlertChannel(db, actor, profileIdFrom(p.id), objectIdFrom(p.channelId, "channel"));
    return undefined;
  });

/** One message now; a channel that fails answers 502 with the reason. */
export const testChannel = (req: Request, ctx: Ctx<"channelId">) =>
  apiRoute("POST profiles/{id}/alerts/channels/{channelId}/test", req, async (actor) => {
    const p = await ctx.params;
    const r = await sendTestAlert(db, actor, profileIdFrom(p.id), objectIdFrom(p.channelId, "channel"));
    return { ChannelName: r.channelName, Sent: true };
  });
