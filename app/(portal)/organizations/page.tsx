import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";

export const metadata: Metadata = { title: "Organizations" };

export default async function OrganizationsPage() {
  await requirePageSession();
  const orgs = await db.organization.findMany({
    select: { id: true, name: true, url: true, isDemo: true, privacyAcceptedAt: true, privacyAcceptedBy: true, _count: { select: { profiles: true } } },
    orderBy: { name: "asc" },
  });
  return (
    <>
      <PageHeader title="Organizations" description="Dataverse environments this portal exports from." />
      {orgs.length === 0 ? (
        <EmptyState title="No organization yet">
          Start the portal without a configured Dataverse environment to get the demo organization, or point it at your
          environment with DATAVERSE_URL (see the README).
        </EmptyState>
      ) : (
        <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
          <thead className="bg-slate-100 text-left text-slate-700">
            <tr>
              <th scope="col" className="px-4 py-2">Name</th>
              <th scope="col" className="px-4 py-2">URL</th>
              <th scope="col" className="px-4 py-2">Privacy terms</th>
              <th scope="col" className="px-4 py-2">Profiles</th>
            </tr>
          </thead>
          <tbody>
            {orgs.map((o) => (
              <tr key={o.id} className="border-t border-slate-100">
                <td className="px-4 py-2 font-medium">{o.name}{o.isDemo ? <span className="ml-2 rounded bg-amber-100 px-1.5 text-xs text-amber-800">demo</span> : null}</td>
                <td className="px-4 py-2 font-mono text-xs">{o.url}</td>
                <td className="px-4 py-2">{o.privacyAcceptedAt ? `Accepted by ${o.privacyAcceptedBy ?? "unknown"}` : "Not accepted"}</td>
                <td className="px-4 py-2">{o._count.profiles}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
