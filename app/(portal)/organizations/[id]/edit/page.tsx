import type { Metadata } from "next";
import Link from "next/link";
import { EditOrganizationForm } from "@/components/organizations/edit-organization-form";
import { Alert } from "@/components/ui/alert";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { orNotFound } from "@/lib/portal/or-not-found";
import { getOrganization } from "@/lib/organizations/service";

export const metadata: Metadata = { title: "Edit organization" };
export const dynamic = "force-dynamic";

export default async function EditOrganizationPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageSession();
  const organization = await orNotFound(getOrganization(db, actor, (await params).id));
  return (
    <>
      <PageHeader title={`Edit organization — ${organization.name}`} description={organization.url} />
      <div className="space-y-6">
        {actor.role !== "admin" ? (
          <Alert tone="error">Only admins can edit organizations. Ask an admin if a client secret must be entered again.</Alert>
        ) : organization.authKind === "token" ? (
          <Alert tone="info">The demo organization is set up by the local emulator and cannot be edited.</Alert>
        ) : (
          <EditOrganizationForm organization={organization} />
        )}
        <Link href="/organizations" className="text-sm font-medium text-blue-800 underline">
          Back to organizations
        </Link>
      </div>
    </>
  );
}
