import type { Metadata } from "next";
import { FailuresViewer } from "@/components/failures/failures-viewer";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { listProfiles } from "@/lib/profiles/status";

export const metadata: Metadata = { title: "Failures" };
export const dynamic = "force-dynamic";

type Search = Record<"profileId" | "entity" | "changeType" | "from" | "to" | "search", string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function FailuresPage({ searchParams }: { searchParams: Promise<Partial<Search>> }) {
  const actor = await requirePageSession();
  const q = await searchParams;
  const profiles = await listProfiles(db, actor, {});
  const filters = {
    profileId: one(q.profileId),
    entity: one(q.entity),
    changeType: one(q.changeType),
    from: one(q.from),
    to: one(q.to),
    search: one(q.search),
  };
  return (
    <>
      <PageHeader title="Failures" description="Records that could not be written after every retry, newest first. Entries are never edited; they are removed only when older than the retention (RETENTION_DAYS, 90 days by default)." />
      <FailuresViewer profiles={profiles.map((p) => ({ id: p.id, name: p.name }))} initialFilters={filters} />
    </>
  );
}
