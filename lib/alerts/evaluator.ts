// The alert evaluator: runs in the worker process (never in a web request), every ALERT_EVAL_MS
// (default 30 s). Each pass compares what is wrong now (conditions.ts) with the open alerts: a new
// incident is stored and sent once ("fired"), an open one whose condition cleared is closed and
// sent once ("resolved"). Several workers may evaluate at once: the unique openKey lets one
// insert win, and a resolve is a compare-and-set, so each message goes out once. A failing
// channel is recorded on the alert's history; nothing here throws out of the loop.
import type { Db } from "../db";
import { errorText } from "../sync/retry-policy";
import type { Logger } from "../sync/table-pipeline";
import { CHANNEL_ROW_SELECT, deliver } from "./channels";
import { incidentsOf, loadFacts, openKeyOf, type Incident, type RuleRow } from "./conditions";
import { profileLink, type AlertMessage } from "./message";
import type { SendOptions } from "./send";

export interface EvaluateOptions {
  now?: () => Date;
  send?: SendOptions;
  log?: Logger;
}

export interface EvaluateResult {
  fired: string[];
  resolved: string[];
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === "P2002";

/** One pass over every profile with alert rules. */
export async function evaluateAlerts(db: Db, o: EvaluateOptions = {}): Promise<EvaluateResult> {
  const now = (o.now ?? (() => new Date()))();
  const out: EvaluateResult = { fired: [], resolved: [] };
  const rules = await db.alertRule.findMany({ where: { enabled: true }, select: { id: true, profileId: true, kind: true, threshold: true } });
  const open = await db.alert.findMany({
    where: { openKey: { not: null } },
    select: { id: true, profileId: true, ruleId: true, kind: true, subject: true, openKey: true, message: true, firedAt: true },
  });
  const profileIds = [...new Set([...rules.map((r) => r.profileId), ...open.map((a) => a.profileId)])];
  for (const profileId of profileIds) {
    try {
      await evaluateProfile(db, profileId, rules.filter((r) => r.profileId === profileId), open.filter((a) => a.profileId === profileId), now, o, out);
    } catch (err) {
      o.log?.warn(`alerts: evaluating profile ${profileId} failed: ${errorText(err)}`);
    }
  }
  return out;
}

type OpenAlert = { id: string; profileId: string; ruleId: string; kind: string; subject: string; openKey: string | null; message: string; firedAt: Date };

async function evaluateProfile(db: Db, profileId: string, rules: RuleRow[], open: OpenAlert[], now: Date, o: EvaluateOptions, out: EvaluateResult) {
  const facts = await loadFacts(db, profileId);
  if (!facts) return;
  const incidents: Incident[] = [];
  for (const rule of rules) incidents.push(...(await incidentsOf(db, rule, facts, now)));
  const wanted = new Map(incidents.map((i) => [openKeyOf(i.ruleId, i.subject), i]));
  const openKeys = new Set(open.map((a) => a.openKey));
  const channels = () => db.alertChannel.findMany({ where: { profileId, enabled: true }, select: CHANNEL_ROW_SELECT, orderBy: { createdAt: "asc" } });
  const profile = { id: facts.id, name: facts.name };

  for (const [key, inc] of wanted) {
    if (openKeys.has(key)) continue;
    let alertId: string;
    try {
      const a = await db.alert.create({
        data: { profileId, ruleId: inc.ruleId, kind: inc.kind, subject: inc.subject, openKey: key, message: `${inc.title}. ${inc.text}`, firedAt: now },
        select: { id: true },
      });
      alertId = a.id;
    } catch (err) {
      if (isUniqueViolation(err)) continue; // another worker fired it first
      throw err;
    }
    out.fired.push(alertId);
    o.log?.warn(`alerts: ${facts.name}: ${inc.title}`);
    const m: AlertMessage = { event: "fired", kind: inc.kind, profile, subject: inc.subject, title: inc.title, text: inc.text, at: now, firedAt: now, alertId, link: profileLink(profileId) };
    for (const ch of await channels()) await deliver(db, ch, m, { profileId, alertId, event: "fired" }, o.send);
  }

  for (const a of open) {
    if (a.openKey && wanted.has(a.openKey)) continue;
    // Compare-and-set: only the worker that closes it sends "resolved".
    const closed = await db.alert.updateMany({ where: { id: a.id, openKey: { not: null } }, data: { openKey: null, resolvedAt: now } });
    if (closed.count !== 1) continue;
    out.resolved.push(a.id);
    const mins = Math.max(0, Math.round((now.getTime() - a.firedAt.getTime()) / 60_000));
    const title = `resolved: ${a.message.split(". ")[0]}`;
    o.log?.info(`alerts: ${facts.name}: ${title}`);
    const m: AlertMessage = {
      event: "resolved", kind: a.kind as AlertMessage["kind"], profile, subject: a.subject, title,
      text: `The condition cleared after ${mins} minute${mins === 1 ? "" : "s"} (fired at ${a.firedAt.toISOString()}).`,
      at: now, firedAt: a.firedAt, alertId: a.id, link: profileLink(profileId),
    };
    for (const ch of await channels()) await deliver(db, ch, m, { profileId, alertId: a.id, event: "resolved" }, o.send);
  }
}

export interface AlertEvaluator {
  stop(): Promise<void>;
}

/** Evaluates every `everyMs` (default ALERT_EVAL_MS or 30 s) until stopped; one pass at a time. */
export function startAlertEvaluator(db: Db, o: EvaluateOptions & { everyMs?: number } = {}): AlertEvaluator {
  const everyMs = o.everyMs ?? (Number(process.env.ALERT_EVAL_MS) > 0 ? Number(process.env.ALERT_EVAL_MS) : 30_000);
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let pass: Promise<unknown> = Promise.resolve();
  const tick = () => {
    timer = null;
    pass = evaluateAlerts(db, o)
      .catch((err) => o.log?.error(`alerts: evaluation failed: ${errorText(err)}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, everyMs);
      });
  };
  timer = setTimeout(tick, Math.min(everyMs, 1000));
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await pass;
    },
  };
}
