import type { Metadata } from "next";
import Link from "next/link";
import { ConnectionEditor } from "@/components/connections/connection-editor";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { TARGET_TYPE_LABELS } from "@/lib/connections/labels";
import { getConnection, type ConnectionDetail } from "@/lib/connections/service";
import { db } from "@/lib/db";
import { orNotFound } from "@/lib/portal/or-not-found";

export const metadata: Metadata = { title: "Connection" };
export const dynamic = "force-dynamic";

export default async function ConnectionPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageSession();
  const connection = await orNotFound(getConnection(db, actor, (await params).id));
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/connections" className="text-blue-800 underline">
          ← All connections
        </Link>
      </p>
      <PageHeader title={connection.name} description={`${TARGET_TYPE_LABELS[connection.destinationType]} connection.`} />
      {"sharedWithContributors" in connection ? (
        <ConnectionEditor connection={connection as ConnectionDetail} />
      ) : (
        <p className="text-sm text-slate-700">Shared with contributors: choose it in the new profile wizard. Only admins see or change its target.</p>
      )}
    </>
  );
}
