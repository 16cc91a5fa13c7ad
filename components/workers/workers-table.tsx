"use client";

import Link from "next/link";
import type { WorkerSummary } from "@/lib/workers/service";
import { Alert } from "../ui/alert";
import { Badge, type BadgeTone } from "../ui/badge";
import { EmptyState } from "../ui/empty-state";
import { TimeText } from "../ui/time-text";
import { useWorkers } from "./hooks/use-workers";

const TONE: Record<WorkerSummary["status"], BadgeTone> = { live: "success", silent: "danger", stopped: "neutral" };
const ROLE: Record<string, string> = { worker: "worker", "web+worker": "worker (beside the portal)", cli: "CLI sync" };

export function WorkersTable({ initialWorkers }: { initialWorkers: WorkerSummary[] }) {
  const { data: workers = [], error } = useWorkers(initialWorkers);
  if (error) return <Alert tone="error">{error.message}</Alert>;
  if (workers.length === 0) {
    return (
      <EmptyState title="No worker has run in the last day">
        Active profiles are exported only while a worker runs: <code>npm start</code>, or <code>npm start -- --worker</code> on another host.
      </EmptyState>
    );
  }
  return (
    <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
      <caption className="sr-only">Sync workers</caption>
      <thead className="bg-slate-100 text-left text-slate-700">
        <tr>
          <th scope="col" className="px-4 py-2">Host</th>
          <th scope="col" className="px-4 py-2">PID</th>
          <th scope="col" className="px-4 py-2">Role</th>
          <th scope="col" className="px-4 py-2">Status</th>
          <th scope="col" className="px-4 py-2">Version</th>
          <th scope="col" className="px-4 py-2">Started</th>
          <th scope="col" className="px-4 py-2">Last heartbeat</th>
          <th scope="col" className="px-4 py-2">Profiles held</th>
        </tr>
      </thead>
      <tbody>
        {workers.map((w) => (
          <tr key={w.id} className="border-t border-slate-100 align-top" data-testid={`worker-row-${w.id}`}>
            <td className="px-4 py-2 font-medium">{w.host}</td>
            <td className="px-4 py-2 font-mono text-xs">{w.pid}</td>
            <td className="px-4 py-2">{ROLE[w.role] ?? w.role}</td>
            <td className="px-4 py-2">
              <Badge tone={TONE[w.status]}>{w.status}</Badge>
            </td>
            <td className="px-4 py-2 font-mono text-xs">{w.version}</td>
            <td className="px-4 py-2 text-xs"><TimeText value={w.startedAt} /></td>
            <td className="px-4 py-2 text-xs"><TimeText value={w.heartbeatAt} /></td>
            <td className="px-4 py-2">
              {w.profiles.length === 0 ? (
                <span className="text-slate-500">none</span>
              ) : (
                <ul className="space-y-0.5">
                  {w.profiles.map((p) => (
                    <li key={p.id}>
                      <Link href={`/profiles/${p.id}`} className="text-blue-700 underline">{p.name}</Link>{" "}
                      <span className="text-xs text-slate-500">epoch {p.epoch}</span>
                    </li>
                  ))}
                </ul>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
