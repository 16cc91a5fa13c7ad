"use client";

import { useState } from "react";
import { Alert } from "../ui/alert";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { formatUtc } from "../ui/time-text";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { useRefreshRuns, useRunNow } from "./hooks/use-refresh-runs";

const RESULT = { running: ["Running", "info"], succeeded: ["Succeeded", "success"], failed: ["Failed", "danger"] } as const;

/** A scheduled lake export: its schedule and next run, Run now, and the run history (newest 20). */
export function ProfileRefresh({ profileId, canRun, active }: { profileId: string; canRun: boolean; active: boolean }) {
  const query = useRefreshRuns(profileId);
  const runNow = useRunNow();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const v = query.data;

  async function onRunNow() {
    const r = await runNow.mutateAsync({ id: profileId });
    setMessage(r.ok ? { ok: true, text: "Run requested: the worker starts it within a few seconds." } : { ok: false, text: r.error });
  }

  if (query.error) return <Alert tone="error">{query.error.message}</Alert>;
  if (!v) return <p className="text-sm text-slate-600">Loading…</p>;
  return (
    <div className="space-y-3">
      <p className="text-sm" data-testid="refresh-schedule">
        Refresh: {v.description} · next run <span data-testid="refresh-next">{active ? formatUtc(v.nextRunAt) : "— (inactive)"}</span>
        {v.requestedAt ? <span data-testid="refresh-requested"> · run requested {formatUtc(v.requestedAt)}</span> : null}
      </p>
      {canRun ? (
        <Button type="button" variant="secondary" onClick={() => void onRunNow()} disabled={runNow.isPending || !active || Boolean(v.requestedAt)}>
          {runNow.isPending ? "Requesting…" : "Run now"}
        </Button>
      ) : null}
      {message ? <Alert tone={message.ok ? "success" : "error"}>{message.text}</Alert> : null}
      {v.runs.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="refresh-no-runs">No runs yet.</p>
      ) : (
        <ScrollRegion label="Run history">
          <table className="w-full bg-white text-sm" data-testid="refresh-runs">
            <caption className="sr-only">Run history, newest first</caption>
            <thead className="bg-slate-100 text-left text-slate-700">
              <tr>
                <th scope="col" className="px-3 py-2">Started (UTC)</th>
                <th scope="col" className="px-3 py-2">Ended (UTC)</th>
                <th scope="col" className="px-3 py-2">Trigger</th>
                <th scope="col" className="px-3 py-2 text-right">Rows written</th>
                <th scope="col" className="px-3 py-2">Result</th>
              </tr>
            </thead>
            <tbody>
              {v.runs.map((r) => (
                <tr key={r.id} className="border-t border-slate-100 align-top" data-testid="refresh-run">
                  <td className="px-3 py-2 whitespace-nowrap">{formatUtc(r.startedAt)}</td>
                  <td className="px-3 py-2 whitespace-nowrap">{r.endedAt ? formatUtc(r.endedAt) : "—"}</td>
                  <td className="px-3 py-2">{r.trigger === "manual" ? `Run now${r.requestedBy ? ` (${r.requestedBy})` : ""}` : "Schedule"}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{r.rowsWritten.toLocaleString("en-US")}</td>
                  <td className="px-3 py-2">
                    <Badge tone={RESULT[r.result][1]}>{RESULT[r.result][0]}</Badge>
                    {r.message ? <span className="block text-xs text-red-800">{r.message}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </div>
  );
}
