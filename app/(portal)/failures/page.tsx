import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";

export const metadata: Metadata = { title: "Failures" };

export default async function FailuresPage() {
  await requirePageSession();
  const failures = await db.failure.findMany({
    select: { id: true, entity: true, recordId: true, notificationTime: true, changeType: true, reason: true, profile: { select: { name: true } } },
    orderBy: { id: "desc" },
    take: 100,
  });
  return (
    <>
      <PageHeader title="Failures" description="Records that could not be written after every retry, newest first. Entries are never edited or removed." />
      {failures.length === 0 ? (
        <EmptyState title="No failures">Records that fail after every retry appear here, with the reason.</EmptyState>
      ) : (
        <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
          <thead className="bg-slate-100 text-left text-slate-700">
            <tr>
              <th scope="col" className="px-4 py-2">Time (UTC)</th>
              <th scope="col" className="px-4 py-2">Profile</th>
              <th scope="col" className="px-4 py-2">Table</th>
              <th scope="col" className="px-4 py-2">Record</th>
              <th scope="col" className="px-4 py-2">Change</th>
              <th scope="col" className="px-4 py-2">Reason</th>
            </tr>
          </thead>
          <tbody>
            {failures.map((f) => (
              <tr key={f.id} className="border-t border-slate-100 align-top">
                <td className="whitespace-nowrap px-4 py-2">{f.notificationTime.toISOString().replace("T", " ").slice(0, 19)}</td>
                <td className="px-4 py-2">{f.profile.name}</td>
                <td className="px-4 py-2">{f.entity}</td>
                <td className="px-4 py-2 font-mono text-xs">{f.recordId}</td>
                <td className="px-4 py-2">{f.changeType}</td>
                <td className="px-4 py-2">{f.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
