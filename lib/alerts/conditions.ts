// What is wrong with a profile now, per alert rule: the incidents the evaluator compares with the
// open alerts. Pure reads of the store; `now` comes from the caller (tests inject a clock).
import type { Db } from "../db";
import type { TAlertKind } from "./schemas";
import { scheduleOf } from "../sync/refresh/store";

export interface RuleRow {
  id: string;
  profileId: string;
  kind: string;
  threshold: number;
}

export interface Incident {
  ruleId: string;
  kind: TAlertKind;
  /** A table's logical name for table-failed, else "". */
  subject: string;
  title: string;
  text: string;
}

export const openKeyOf = (ruleId: string, subject: string) => `${ruleId}|${subject}`;

const minutes = (ms: number) => Math.floor(ms / 60_000);
const DAY = 24 * 60 * 60_000;
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

export interface ProfileFacts {
  id: string;
  name: string;
  state: string;
  metadataActive: boolean;
  dataActive: boolean;
  lastError: string | null;
  lastErrorKind: string | null;
  lastSyncAt: Date | null;
  updatedAt: Date;
  destinationType: string;
  refreshMode: string;
  refreshNextAt: Date | null;
  lease: { ownerId: string | null; expiresAt: Date } | null;
  tables: { logicalName: string; enabled: boolean; metadataState: string; initialSyncState: string; lastError: string | null }[];
  organization: { name: string; clientSecretExpiresAt: Date | null };
}

export async function loadFacts(db: Db, profileId: string): Promise<ProfileFacts | null> {
  return db.profile.findUnique({
    where: { id: profileId },
    select: {
      id: true, name: true, state: true, metadataActive: true, dataActive: true, lastError: true, lastErrorKind: true, lastSyncAt: true, updatedAt: true,
      destinationType: true, refreshMode: true, refreshNextAt: true,
      lease: { select: { ownerId: true, expiresAt: true } },
      tables: { select: { logicalName: true, enabled: true, metadataState: true, initialSyncState: true, lastError: true }, orderBy: { logicalName: "asc" } },
      organization: { select: { name: true, clientSecretExpiresAt: true } },
    },
  });
}

const active = (p: ProfileFacts) => p.metadataActive || p.dataActive;
// The runner sets "activating" at each restart and keeps lastError until a cycle succeeds: a
// profile that keeps failing is failed in between restarts too (no resolve/fire flapping).
const failing = (p: ProfileFacts) => p.lastError !== null && (p.state === "failed" || (p.state === "activating" && active(p)));

/** The incidents of one rule on a profile now (none when its condition holds not). */
export async function incidentsOf(db: Db, rule: RuleRow, p: ProfileFacts, now: Date): Promise<Incident[]> {
  const base = { ruleId: rule.id, kind: rule.kind as TAlertKind, subject: "" };
  switch (rule.kind) {
    case "lag": {
      const syncing = p.dataActive && (p.state === "active" || p.state === "activating" || p.state === "failed");
      if (!syncing || !p.lastSyncAt) return [];
      // A scheduled lake export is idle between runs by design: it lags only once a run is overdue.
      const scheduled = scheduleOf({ ...p, refreshEveryHours: null, refreshCron: null }).mode !== "continuous";
      const since = scheduled ? (p.refreshNextAt && p.refreshNextAt > p.lastSyncAt ? p.refreshNextAt : null) : p.lastSyncAt;
      if (!since) return [];
      const lag = now.getTime() - since.getTime();
      if (minutes(lag) <= rule.threshold) return [];
      return [{ ...base, title: `lag of ${plural(minutes(lag), "minute")} (above ${rule.threshold})`, text: `${scheduled ? `The scheduled run due at ${since.toISOString()} has not completed; the last` : "The last"} completed sync cycle was at ${p.lastSyncAt.toISOString()}, ${plural(minutes(lag), "minute")} ago; the rule allows ${rule.threshold}.${p.lastError ? ` Last error: ${p.lastError}` : ""}` }];
    }
    case "failures": {
      const since = new Date(now.getTime() - 60 * 60_000);
      const agg = await db.syncStat.aggregate({ where: { profileId: p.id, minute: { gte: since } }, _sum: { failed: true } });
      const n = agg._sum.failed ?? 0;
      if (n <= rule.threshold) return [];
      return [{ ...base, title: `${plural(n, "failed record")} in the last hour (above ${rule.threshold})`, text: `${plural(n, "record")} failed to export in the hour before ${now.toISOString()}; the rule allows ${rule.threshold}. The failure log on the profile page says why.` }];
    }
    case "profile-failed": {
      if (failing(p)) return [{ ...base, title: "the profile failed", text: `The profile is failing and the worker keeps retrying: ${p.lastError}` }];
      if (!active(p)) return [];
      // Active, but no live worker runs it: its lease ran out (or none was ever taken) N minutes ago.
      const since = p.lease ? p.lease.expiresAt : p.updatedAt;
      const held = p.lease !== null && p.lease.ownerId !== null && p.lease.expiresAt.getTime() > now.getTime();
      if (held || now.getTime() - since.getTime() < rule.threshold * 60_000) return [];
      return [{ ...base, title: "the profile is stopped: no worker runs it", text: `The profile is active but no live worker has held it since ${since.toISOString()} (more than ${plural(rule.threshold, "minute")}). Check that a worker process is running (Workers page).` }];
    }
    case "table-failed": {
      if (!active(p)) return [];
      return p.tables
        .filter((t) => t.enabled && (t.metadataState === "Failed" || t.initialSyncState === "Failed"))
        .map((t) => ({ ...base, subject: t.logicalName, title: `table ${t.logicalName} failed`, text: `Table ${t.logicalName} is not being exported${t.lastError ? `: ${t.lastError}` : "."} The worker tries it again on its own; a re-export from the profile page starts it over.` }));
    }
    case "credentials": {
      if (!failing(p) || p.lastErrorKind !== "credentials") return [];
      return [{ ...base, title: "the organization's credentials were rejected", text: `${p.lastError} Update the client secret (or token) of the organization; the profile resumes at its next retry.` }];
    }
    case "credentials-expiry": {
      const expires = p.organization.clientSecretExpiresAt;
      if (!expires) return [];
      const left = Math.ceil((expires.getTime() - now.getTime()) / DAY);
      if (left > rule.threshold) return [];
      const on = expires.toISOString().slice(0, 10);
      // The date is the subject: recording a new date (a new secret) resolves this incident.
      const title = left > 0 ? `the client secret of ${p.organization.name} expires on ${on} (in ${plural(left, "day")})` : `the client secret of ${p.organization.name} expired on ${on}`;
      return [{ ...base, subject: `secret-expires:${on}`, title, text: `Create a new client secret for the app registration in the Azure portal (Certificates & secrets), then enter it and its expiry date on the organization's Edit page; the alert resolves when the new date is recorded. The rule warns ${plural(rule.threshold, "day")} ahead.` }];
    }
    case "reconcile-differences": {
      const last = await db.reconciliation.findFirst({
        where: { profileId: p.id, status: "done" },
        orderBy: { finishedAt: "desc" },
        select: { finishedAt: true, missing: true, extra: true, stale: true },
      });
      if (!last) return [];
      const missing = last.missing ?? 0, extra = last.extra ?? 0, stale = last.stale ?? 0;
      const total = missing + extra + stale;
      if (total <= rule.threshold) return [];
      return [{ ...base, title: `reconciliation found ${plural(total, "difference")}`, text: `The reconciliation finished at ${last.finishedAt?.toISOString() ?? "?"} found ${missing} missing, ${extra} extra and ${stale} stale rows in the target (the rule allows ${rule.threshold}). "Reconcile and repair" on the profile page fixes them.` }];
    }
    default:
      return [];
  }
}
