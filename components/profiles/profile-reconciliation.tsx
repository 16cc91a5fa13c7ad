"use client";

import { useState, type FormEvent } from "react";
import type { StoredReconciliation } from "@/lib/sync/reconcile/store";
import { Alert } from "../ui/alert";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { CheckboxField } from "../ui/checkbox-field";
import { Field } from "../ui/field";
import { formatUtc } from "../ui/time-text";
import { useReconcile, useReconciliation, useUpdateReconcileSchedule } from "./hooks/use-reconciliation";
import { ScrollRegion } from "@/components/ui/scroll-region";

const STATUS: Record<string, string> = { requested: "Requested", running: "Running", done: "Completed", failed: "Failed" };
const n = (v: number | null | undefined) => (v ?? 0).toLocaleString("en-US");

function seconds(ms: number | null): string {
  return ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`;
}

function LastResult({ r }: { r: StoredReconciliation }) {
  const equal = r.status === "done" && r.missing === 0 && r.extra === 0 && r.stale === 0;
  return (
    <div className="space-y-2" data-testid="reconcile-last">
      <p className="text-sm">
        <Badge tone={equal ? "success" : "danger"}>{equal ? "Target equals source" : r.status === "failed" ? "Not compared" : "Differences found"}</Badge>{" "}
        <span data-testid="reconcile-counts">
          {n(r.missing)} missing, {n(r.extra)} extra, {n(r.stale)} stale
        </span>{" "}
        · finished <span data-testid="reconcile-time">{formatUtc(r.finishedAt)}</span> · took <span data-testid="reconcile-duration">{seconds(r.durationMs)}</span>
        {r.repair ? " · with repair" : ""}
      </p>
      {r.error ? <Alert tone="error">{r.error}</Alert> : null}
      <ScrollRegion label="Reconciliation results">
        <table className="w-full bg-white text-sm">
          <caption className="sr-only">Last reconciliation, per table</caption>
          <thead className="bg-slate-100 text-left text-slate-700">
            <tr>
              <th scope="col" className="px-3 py-2">Table</th>
              <th scope="col" className="px-3 py-2 text-right">Source</th>
              <th scope="col" className="px-3 py-2 text-right">Target</th>
              <th scope="col" className="px-3 py-2 text-right">Missing</th>
              <th scope="col" className="px-3 py-2 text-right">Extra</th>
              <th scope="col" className="px-3 py-2 text-right">Stale</th>
              <th scope="col" className="px-3 py-2">Sample ids</th>
            </tr>
          </thead>
          <tbody>
            {r.results.map((t) => (
              <tr key={t.logicalName} className="border-t border-slate-100 align-top" data-testid={`reconcile-table-${t.logicalName}`}>
                <td className="px-3 py-2 font-mono">{t.logicalName}</td>
                <td className="px-3 py-2 text-right tabular-nums">{n(t.sourceCount)}</td>
                <td className="px-3 py-2 text-right tabular-nums">{n(t.targetCount)}</td>
                <td className="px-3 py-2 text-right tabular-nums" data-testid="reconcile-missing">{n(t.missing)}</td>
                <td className="px-3 py-2 text-right tabular-nums" data-testid="reconcile-extra">{n(t.extra)}</td>
                <td className="px-3 py-2 text-right tabular-nums" data-testid="reconcile-stale">{n(t.stale)}</td>
                <td className="px-3 py-2 font-mono text-xs">
                  {t.error ? <span className="text-red-800">{t.error}</span> : [...t.samples.missing, ...t.samples.extra, ...t.samples.stale].join(" ") || "—"}
                  {t.repaired ? <span className="block font-sans text-slate-600">repaired {n(t.repairedRows)} row(s){t.repairFailed ? `, ${n(t.repairFailed)} refused` : ""}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </div>
  );
}

function ScheduleForm({ id, schedule, isAdmin }: { id: string; schedule: { enabled: boolean; timeUtc: string; everyHours: number | null; nextRunAt: Date | string | null }; isAdmin: boolean }) {
  const save = useUpdateReconcileSchedule();
  const [message, setMessage] = useState<{ ok: boolean; text: string; fields?: Record<string, string> } | null>(null);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const every = String(f.get("reconcileEveryHours") ?? "").trim();
    const r = await save.mutateAsync({
      id,
      schedule: { enabled: f.get("reconcileEnabled") === "on", timeUtc: String(f.get("reconcileTimeUtc") ?? ""), everyHours: every ? Number(every) : null },
    });
    setMessage(r.ok ? { ok: true, text: "Schedule saved." } : { ok: false, text: r.error, fields: r.fieldErrors });
  }
  const summary = schedule.enabled
    ? schedule.everyHours ? `every ${schedule.everyHours} h` : `daily at ${schedule.timeUtc} UTC`
    : "off";
  if (!isAdmin) {
    return <p className="text-sm" data-testid="reconcile-schedule">Schedule: {summary}{schedule.nextRunAt ? ` · next ${formatUtc(schedule.nextRunAt)}` : ""}</p>;
  }
  return (
    <form onSubmit={(e) => void onSubmit(e)} className="space-y-3" aria-label="Reconciliation schedule">
      <p className="text-sm" data-testid="reconcile-schedule">
        Schedule: {summary}
        {schedule.nextRunAt ? ` · next ${formatUtc(schedule.nextRunAt)}` : ""}
      </p>
      <div className="grid gap-3 md:grid-cols-3">
        <CheckboxField label="Reconcile on a schedule" name="reconcileEnabled" defaultChecked={schedule.enabled} />
        <Field label="Time of day (UTC)" name="reconcileTimeUtc" defaultValue={schedule.timeUtc} error={message?.fields?.timeUtc} hint="HH:MM" />
        <Field label="Or every N hours" name="reconcileEveryHours" inputMode="numeric" defaultValue={schedule.everyHours ?? ""} error={message?.fields?.everyHours} hint="Empty: daily" />
      </div>
      {message ? <Alert tone={message.ok ? "success" : "error"}>{message.text}</Alert> : null}
      <Button type="submit" variant="secondary" disabled={save.isPending}>
        {save.isPending ? "Saving…" : "Save schedule"}
      </Button>
    </form>
  );
}

/** The profile's reconciliation: ask for one (all tables or one), see the last result, set the schedule. */
export function ProfileReconciliation({ profileId, tables, isAdmin }: { profileId: string; tables: string[]; isAdmin: boolean }) {
  const query = useReconciliation(profileId);
  const reconcile = useReconcile();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const v = query.data;
  const busy = v?.latest?.status === "requested" || v?.latest?.status === "running";

  async function ask(opts: { tables?: string[]; repair?: boolean }) {
    const r = await reconcile.mutateAsync({ id: profileId, ...opts });
    const what = opts.tables?.length ? opts.tables.join(", ") : "every table";
    setMessage(r.ok ? { ok: true, text: `Reconciliation of ${what}${opts.repair ? " with repair" : ""} requested: the worker runs it beside the sync.` } : { ok: false, text: r.error });
  }

  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-700">
        Compares every row&apos;s id and version in the target with Dataverse: rows missing, extra (deleted at the source) or stale. Repair re-syncs
        exactly those rows.
      </p>
      {query.error ? <Alert tone="error">Could not load: {query.error.message}</Alert> : null}
      {message ? <Alert tone={message.ok ? "success" : "error"}>{message.text}</Alert> : null}
      {isAdmin ? (
        <div className="flex flex-wrap items-center gap-2">
          <Button onClick={() => void ask({})} disabled={reconcile.isPending}>Reconcile</Button>
          <Button variant="secondary" onClick={() => void ask({ repair: true })} disabled={reconcile.isPending}>Reconcile and repair</Button>
          <label className="text-sm" htmlFor="reconcile-one-table">One table:</label>
          <select id="reconcile-one-table" className="rounded-md border border-slate-300 px-2 py-2 text-sm" defaultValue="" onChange={(e) => {
            const t = e.currentTarget.value;
            e.currentTarget.value = "";
            if (t) void ask({ tables: [t] });
          }}>
            <option value="">Reconcile one table…</option>
            {tables.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </div>
      ) : null}
      {busy ? (
        <p className="text-sm" data-testid="reconcile-status">
          <Badge tone="info">{STATUS[v!.latest!.status]}</Badge> requested {formatUtc(v!.latest!.requestedAt)}
          {v!.latest!.tables ? ` (${v!.latest!.tables.join(", ")})` : ""}
        </p>
      ) : null}
      {v?.lastFinished ? <LastResult r={v.lastFinished} /> : <p className="text-sm text-slate-600" data-testid="reconcile-last">Not reconciled yet.</p>}
      {v ? <ScheduleForm id={profileId} schedule={v.schedule} isAdmin={isAdmin} /> : null}
    </div>
  );
}
