import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { EditOrganizationForm } from "@/components/organizations/edit-organization-form";
import { Alert } from "@/components/ui/alert";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { getOrganization } from "@/lib/organizations/service";

export const metadata: Metadata = { title: "Edit organization" };
export const dynamic = "force-dynamic";

async function load(id: string) {
  const actor = await requirePageSession();
  try {
    return { actor, organization: await getOrganization(db, actor, id) };
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof ValidationError) notFound();
    throw err;
  }
}

export default async function EditOrganizationPage({ params }: { params: Promise<{ id: string }> }) {
  const { actor, organization } = await load((await params).id);
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
