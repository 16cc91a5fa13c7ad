import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";

export const metadata: Metadata = { title: "Profiles" };

export default async function ProfilesPage() {
  await requirePageSession();
  const profiles = await db.profile.findMany({
    select: { id: true, name: true, state: true, destinationType: true, lastSyncAt: true, organization: { select: { name: true } }, _count: { select: { tables: true } } },
    orderBy: { name: "asc" },
  });
  return (
    <>
      <PageHeader title="Export profiles" description="What is exported, where to, and how far each table has come." />
      {profiles.length === 0 ? (
        <EmptyState title="No export profile yet">
          A profile picks an organization&apos;s tables and a target database. Until the profile wizard lands here, create one
          with <code className="rounded bg-slate-100 px-1">npx dataverse-export sync</code> (see the README).
        </EmptyState>
      ) : (
        <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
          <thead className="bg-slate-100 text-left text-slate-700">
            <tr>
              <th scope="col" className="px-4 py-2">Name</th>
              <th scope="col" className="px-4 py-2">Organization</th>
              <th scope="col" className="px-4 py-2">State</th>
              <th scope="col" className="px-4 py-2">Target</th>
              <th scope="col" className="px-4 py-2">Tables</th>
              <th scope="col" className="px-4 py-2">Last sync</th>
            </tr>
          </thead>
          <tbody>
            {profiles.map((p) => (
              <tr key={p.id} className="border-t border-slate-100">
                <td className="px-4 py-2 font-medium">{p.name}</td>
                <td className="px-4 py-2">{p.organization.name}</td>
                <td className="px-4 py-2">{p.state}</td>
                <td className="px-4 py-2">{p.destinationType}</td>
                <td className="px-4 py-2">{p._count.tables}</td>
                <td className="px-4 py-2">{p.lastSyncAt ? p.lastSyncAt.toISOString().replace("T", " ").slice(0, 19) + " UTC" : "never"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
