import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { WorkersTable } from "@/components/workers/workers-table";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { listWorkers } from "@/lib/workers/service";

export const metadata: Metadata = { title: "Workers" };
export const dynamic = "force-dynamic";

export default async function WorkersPage() {
  const actor = await requirePageSession();
  const workers = await listWorkers(db, actor);
  return (
    <>
      <PageHeader title="Workers" description="The sync processes sharing this store: each active profile is run by exactly one of them. A worker silent for a lease is replaced by a peer." />
      <WorkersTable initialWorkers={workers} />
    </>
  );
}
