"use client";

import type { ProfileTableStatus } from "@/lib/profiles/status";
import { Badge, type BadgeTone } from "../ui/badge";
import { Button } from "../ui/button";
import { ProgressBar } from "../ui/progress-bar";
import { formatLag, formatUtc } from "../ui/time-text";
import { InitialSyncBadge, MetadataBadge } from "./state-badge";
import { ScrollRegion } from "@/components/ui/scroll-region";

const PHASES: Record<string, { label: string; tone: BadgeTone }> = {
  disabled: { label: "Not synced", tone: "neutral" },
  draft: { label: "Not activated", tone: "neutral" },
  inactive: { label: "Inactive", tone: "neutral" },
  failed: { label: "Failed", tone: "danger" },
  metadata: { label: "Creating tables", tone: "info" },
  "metadata-only": { label: "Metadata only", tone: "info" },
  "initial-export": { label: "Initial export", tone: "info" },
  "in-sync": { label: "In sync", tone: "success" },
};

interface Props {
  tables: ProfileTableStatus[];
  canResync: boolean;
  resyncing: string | null;
  onResync: (logicalName: string) => void;
}

export function ProfileTablesStatus({ tables, canResync, resyncing, onResync }: Props) {
  return (
    <ScrollRegion label="Tables">
      <table className="w-full bg-white text-sm">
        <caption className="sr-only">Status of each table</caption>
        <thead className="bg-slate-100 text-left text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2">Table</th>
            <th scope="col" className="px-3 py-2">Phase</th>
            <th scope="col" className="px-3 py-2">Metadata</th>
            <th scope="col" className="px-3 py-2">Initial export</th>
            <th scope="col" className="px-3 py-2 text-right">Records synced</th>
            <th scope="col" className="px-3 py-2 text-right">Failures</th>
            <th scope="col" className="px-3 py-2">Last change applied</th>
            <th scope="col" className="px-3 py-2">Lag</th>
            {canResync ? (
              <th scope="col" className="px-3 py-2">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {tables.map((t) => {
            const phase = PHASES[t.phase] ?? { label: t.phase, tone: "neutral" as const };
            return (
              <tr key={t.logicalName} className="border-t border-slate-100 align-top" data-testid={`table-status-${t.logicalName}`}>
                <td className="px-3 py-2">
                  <span className="font-mono font-medium">{t.logicalName}</span>
                  {t.kind === "relationship" ? <span className="block text-xs text-slate-600">N:N relationship</span> : null}
                  {t.reexportReason ? (
                    <p className="mt-1 max-w-xs text-xs text-amber-800" data-testid="table-reexport-reason">
                      {t.initialSyncState === "Completed" || t.initialSyncState === "CompletedWithFailures" ? "Re-exported: " : ""}
                      {t.reexportReason}
                    </p>
                  ) : null}
                  {t.lastError ? (
                    <p className="mt-1 max-w-xs text-xs text-red-800" data-testid="table-error">
                      {t.lastError}
                    </p>
                  ) : null}
                </td>
                <td className="px-3 py-2">
                  <span data-testid="table-phase">
                    <Badge tone={phase.tone}>{phase.label}</Badge>
                  </span>
                </td>
                <td className="px-3 py-2">
                  <MetadataBadge state={t.metadataState} />
                </td>
                <td className="space-y-1 px-3 py-2">
                  <span data-testid="initial-state">
                    <InitialSyncBadge state={t.initialSyncState} />
                  </span>
                  <ProgressBar done={t.initialDone} total={t.initialTotal} label={`Initial export of ${t.logicalName}`} />
                </td>
                <td className="px-3 py-2 text-right tabular-nums" data-testid="records-synced">
                  {t.successNotifications.toLocaleString("en-US")}
                </td>
                <td className="px-3 py-2 text-right tabular-nums" data-testid="table-failures">
                  {t.failureNotifications.toLocaleString("en-US")}
                </td>
                <td className="whitespace-nowrap px-3 py-2" data-testid="last-change">
                  {formatUtc(t.lastChangeAt)}
                </td>
                <td className="px-3 py-2">{formatLag(t.lagSeconds)}</td>
                {canResync ? (
                  <td className="px-3 py-2">
                    <Button variant="secondary" className="whitespace-nowrap" onClick={() => onResync(t.logicalName)} disabled={resyncing === t.logicalName || t.phase === "disabled"}>
                      {resyncing === t.logicalName ? "Requesting…" : "Re-sync"}
                      <span className="sr-only"> {t.logicalName}</span>
                    </Button>
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
