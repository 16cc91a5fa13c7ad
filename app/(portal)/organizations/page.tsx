import type { Metadata } from "next";
import { OrganizationsManager } from "@/components/organizations/organizations-manager";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { listOrganizations } from "@/lib/organizations/service";

export const metadata: Metadata = { title: "Organizations" };
export const dynamic = "force-dynamic";

export default async function OrganizationsPage() {
  const actor = await requirePageSession();
  const organizations = await listOrganizations(db, actor);
  return (
    <>
      <PageHeader title="Organizations" description="Dataverse environments this portal exports from, and whether their privacy terms are accepted." />
      <OrganizationsManager initialOrganizations={organizations} isAdmin={actor.role === "admin"} />
    </>
  );
}
