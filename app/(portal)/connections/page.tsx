import type { Metadata } from "next";
import { ConnectionsManager } from "@/components/connections/connections-manager";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { TARGET_TYPE_LABELS } from "@/lib/connections/labels";
import { listConnections, type ConnectionDetail } from "@/lib/connections/service";
import { db } from "@/lib/db";

export const metadata: Metadata = { title: "Connections" };
export const dynamic = "force-dynamic";


export default async function ConnectionsPage() {
  const actor = await requirePageSession();
  const connections = await listConnections(db, actor);
  if (actor.role !== "admin") {
    return (
      <>
        <PageHeader title="Connections" description="Targets an admin shared with contributors: pick one in the new profile wizard. Only admins manage connections." />
        {connections.length === 0 ? (
          <p className="text-sm text-slate-700">No connection is shared with contributors yet. Ask an admin to share one.</p>
        ) : (
          <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" aria-label="Shared connections">
            {connections.map((c) => (
              <li key={c.id} className="flex justify-between px-4 py-3 text-sm" data-testid={`connection-${c.name}`}>
                <span className="font-medium">{c.name}</span>
                <span className="text-slate-600">{TARGET_TYPE_LABELS[c.destinationType]}</span>
              </li>
            ))}
          </ul>
        )}
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Connections"
        description="Define a target once — its secret, the data privacy and compliance agreement, and who may use it. Profiles then export over it; contributors may use the ones shared with them and see only their name and type."
      />
      <ConnectionsManager connections={connections as ConnectionDetail[]} />
    </>
  );
}
