"use client";

import Link from "next/link";
import { useState, type ReactNode } from "react";
import type { ProfileDetail } from "@/lib/profiles/status";
import { Alert } from "../ui/alert";
import { Card } from "../ui/card";
import { ProgressBar } from "../ui/progress-bar";
import { formatLag, formatUtc } from "../ui/time-text";
import { useProfile } from "./hooks/use-profile";
import { useResyncTable } from "./hooks/use-profile-mutations";
import { ProfileActions } from "./profile-actions";
import { ProfileAlerts } from "./profile-alerts";
import { ProfileLakeDatabase } from "./profile-lake-database";
import { ProfileReconciliation } from "./profile-reconciliation";
import { ProfileRefresh } from "./profile-refresh";
import { ProfileTablesStatus } from "./profile-tables-status";
import { ProfileThroughput } from "./profile-throughput";
import { ProfileStateBadge } from "./state-badge";

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

const KINDS: Record<string, string> = { sqlite: "SQLite", postgres: "PostgreSQL", mssql: "SQL Server", datalake: "Data lake" };

/** `target` is where the data goes, without secrets (lib/profiles/target-description). */
/** `canManageAlerts`: admins only (contributors change profiles, not where alerts go). */
export function ProfileDetailView({ initialProfile, target, isAdmin, canManageAlerts = false }: { initialProfile: ProfileDetail; target: string; isAdmin: boolean; canManageAlerts?: boolean }) {
  const query = useProfile(initialProfile.id, initialProfile);
  const resync = useResyncTable();
  const [resyncing, setResyncing] = useState<string | null>(null);
  const [resyncMessage, setResyncMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const p = query.data ?? initialProfile;

  async function onResync(logicalName: string) {
    setResyncing(logicalName);
    try {
      const r = await resync.mutateAsync({ id: p.id, logicalName });
      setResyncMessage(r.ok ? { ok: true, text: `Re-export of ${logicalName} requested: it starts at the next cycle; its rows stay in the target meanwhile.` } : { ok: false, text: r.error });
    } finally {
      setResyncing(null);
    }
  }

  const facts: [string, ReactNode][] = [
    ["Organization", `${p.organizationName} (${p.organizationUrl})`],
    [
      "Target",
      <span key="t">
        {KINDS[p.destinationType] ?? p.destinationType} — <span className="font-mono text-xs" data-testid="target-description">{target}</span>
      </span>,
    ],
    ...(p.lake?.delta
      ? ([
          [
            "Lake layout",
            `Delta tables (deltalake/<table>_partitioned, protocol reader 1 / writer 2), partitioned by createdon ${p.lake.partition.toLowerCase()}, compaction every ${p.lake.delta.compactMinutes} min, vacuum every ${p.lake.delta.vacuumMinutes} min, ${p.lake.delta.retentionHours} h retention`,
          ],
          [
            "Delta",
            <span key="d" data-testid="delta-figures">
              version {p.lake.delta.version ?? "—"} · {p.lake.delta.files.toLocaleString("en-US")} live files · last compaction {formatUtc(p.lake.delta.lastCompactionAt)} ·{" "}
              {p.lake.filesWritten.toLocaleString("en-US")} files and {formatBytes(p.lake.bytesWritten)} written
            </span>,
          ],
        ] as [string, ReactNode][])
      : p.lake
      ? ([
          ["Lake layout", `${p.lake.mode === "inPlace" ? "in place" : "append-only"}, partitioned by createdon ${p.lake.partition.toLowerCase()}, snapshots every ${p.lake.snapshotMinutes} min, last ${p.lake.snapshotKeep} kept`],
          [
            "Lake",
            <span key="l" data-testid="lake-figures">
              last snapshot {formatUtc(p.lake.lastSnapshotAt)} · {p.lake.snapshotCount.toLocaleString("en-US")} snapshots kept ·{" "}
              {p.lake.filesWritten.toLocaleString("en-US")} files and {formatBytes(p.lake.bytesWritten)} written
            </span>,
          ],
        ] as [string, ReactNode][])
      : ([["Schema / prefix", `${p.schemaName} / ${p.prefix || "(none)"}`]] as [string, ReactNode][])),
    ["Retries", `${p.retryCount} tries, ${p.retryIntervalSeconds} s apart`],
    ["Delete log", p.writeDeleteLog ? "written" : "not written"],
    [
      "Run by",
      p.owner ? (
        <span key="o" data-testid="profile-owner">
          {p.owner.role === "cli" ? "CLI sync" : "worker"} on {p.owner.host} (pid {p.owner.pid}) · epoch {p.owner.epoch} ·{" "}
          <Link href="/workers" className="text-blue-800 underline">workers</Link>
        </span>
      ) : (
        <span key="o" data-testid="profile-owner">{p.metadataActive || p.dataActive ? "no live worker holds it yet" : "nobody (inactive)"}</span>
      ),
    ],
    ["Last sync", formatUtc(p.lastSyncAt)],
    ["Lag", formatLag(p.lagSeconds)],
    ["Records synced", p.recordsSynced.toLocaleString("en-US")],
    [
      "Failures",
      <Link key="f" href={`/failures?profileId=${p.id}`} className="text-blue-800 underline">
        {p.failures.toLocaleString("en-US")} (open the failure log)
      </Link>,
    ],
  ];

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <ProfileStateBadge state={p.state} initialProgress={p.initialProgress} />
        {p.initialProgress ? (
          <div className="w-64">
            <ProgressBar done={p.initialProgress.done} total={p.initialProgress.total} label="Initial export, all tables" />
          </div>
        ) : null}
        {/* The server's and the browser's clocks differ by the time the page takes to load. */}
        <span className="text-xs text-slate-600" aria-live="off" suppressHydrationWarning>
          {query.isFetching ? "Refreshing…" : `Updated ${formatUtc(new Date(query.dataUpdatedAt || Date.now()))}`}
        </span>
      </div>
      {query.error ? <Alert tone="error">Could not refresh: {query.error.message}</Alert> : null}
      {p.lastError ? (
        <Alert tone="error">
          <span data-testid="profile-error">{p.lastError}</span>
        </Alert>
      ) : null}
      <Card title="Actions">
        <ProfileActions profile={p} isAdmin={isAdmin} />
      </Card>
      <Card title="Tables">
        {resyncMessage ? <Alert tone={resyncMessage.ok ? "success" : "error"}>{resyncMessage.text}</Alert> : null}
        <ProfileTablesStatus tables={p.tables} canResync={isAdmin} resyncing={resyncing} onResync={(t) => void onResync(t)} />
      </Card>
      {p.lake?.database ? (
        <Card title="Lake database">
          <ProfileLakeDatabase profile={p} canDownloadFile={isAdmin} />
        </Card>
      ) : null}
      {p.refresh && p.refresh.mode !== "continuous" ? (
        <Card title="Scheduled refresh">
          <ProfileRefresh profileId={p.id} canRun={isAdmin} active={p.dataActive} />
        </Card>
      ) : null}
      <Card title="Reconciliation">
        <ProfileReconciliation profileId={p.id} tables={p.tables.filter((t) => t.phase !== "disabled").map((t) => t.logicalName)} isAdmin={isAdmin} />
      </Card>
      <Card title="Alerts">
        <ProfileAlerts profileId={p.id} isAdmin={canManageAlerts} />
      </Card>
      <Card title="Throughput and failures">
        <ProfileThroughput profileId={p.id} />
      </Card>
      <Card title="Settings">
        <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm md:grid-cols-[12rem_1fr]">
          {facts.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="font-medium text-slate-700">{k}</dt>
              <dd className="break-words">{v}</dd>
            </div>
          ))}
        </dl>
      </Card>
    </div>
  );
}
