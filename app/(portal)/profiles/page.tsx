import type { Metadata } from "next";
import Link from "next/link";
import { ProfilesList } from "@/components/profiles/profiles-list";
import { PageHeader } from "@/components/ui/page-header";
import { mayChangeProfiles } from "@/lib/auth/actor";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { ValidationError } from "@/lib/errors";
import { listOrganizations } from "@/lib/organizations/service";
import { listProfiles } from "@/lib/profiles/status";

export const metadata: Metadata = { title: "Profiles" };
export const dynamic = "force-dynamic";

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function ProfilesPage({ searchParams }: { searchParams: Promise<{ organizationId?: string | string[]; state?: string | string[] }> }) {
  const actor = await requirePageSession();
  const q = await searchParams;
  const organizations = await listOrganizations(db, actor);
  let filters = { organizationId: one(q.organizationId), state: one(q.state) };
  // A bad filter in the address is ignored rather than failing the page.
  const data = await listProfiles(db, actor, filters).catch((err) => {
    if (!(err instanceof ValidationError)) throw err;
    filters = { organizationId: undefined, state: undefined };
    return listProfiles(db, actor, {});
  });
  return (
    <>
      <PageHeader
        title="Export profiles"
        description="What is exported, where to, and how far each table has come. Updates live."
        actions={
          mayChangeProfiles(actor) ? (
            <Link href="/profiles/new" className="rounded-md bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-500 focus-visible:ring-offset-2">
              New profile
            </Link>
          ) : null
        }
      />
      <ProfilesList organizations={organizations.map((o) => ({ id: o.id, name: o.name }))} initial={{ filters, data }} isAdmin={mayChangeProfiles(actor)} />
    </>
  );
}
