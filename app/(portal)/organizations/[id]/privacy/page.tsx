import type { Metadata } from "next";
import Link from "next/link";
import { PrivacyTermsAcceptance } from "@/components/organizations/privacy-terms";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { orNotFound } from "@/lib/portal/or-not-found";
import { getOrganization } from "@/lib/organizations/service";

export const metadata: Metadata = { title: "Privacy terms" };
export const dynamic = "force-dynamic";

export default async function PrivacyTermsPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageSession();
  const organization = await orNotFound(getOrganization(db, actor, (await params).id));
  return (
    <>
      <PageHeader title={`Privacy terms — ${organization.name}`} description={organization.url} />
      <div className="space-y-6">
        <Card title="What leaves Dataverse">
          <ul className="list-disc space-y-2 pl-5 text-sm text-slate-800">
            <li>
              The <strong>rows of every table you choose</strong> in an export profile, with all their columns (names, emails, amounts,
              notes — whatever the table holds), and the rows of the N:N relationships you choose.
            </li>
            <li>
              The <strong>table definitions</strong> (column names and types) and the <strong>labels of choice columns</strong>, so the
              copy can be read without Dataverse.
            </li>
            <li>Every later change to those rows — new, changed and deleted rows — for as long as the profile is active.</li>
            <li>Nothing from tables you do not choose. Dataverse security roles do not apply to the copy.</li>
          </ul>
        </Card>
        <Card title="Where it goes">
          <ul className="list-disc space-y-2 pl-5 text-sm text-slate-800">
            <li>
              Into the <strong>target database you name in each profile</strong> (SQLite file, PostgreSQL or SQL Server), which you run
              and secure. Anyone who can read that database can read the exported data.
            </li>
            <li>
              Through <strong>this server</strong>: it reads from {organization.url} and writes to the target. It keeps the connection
              strings and secrets encrypted, and a log of records that could not be written (table, record id, reason) — not the records
              themselves.
            </li>
            <li>
              Nothing is sent anywhere else. Deactivating or deleting a profile stops the export; it never deletes the copy already in the
              target — you remove it yourself.
            </li>
          </ul>
        </Card>
        <Card title="Acceptance">
          <p className="text-sm text-slate-700">
            By accepting, you confirm on behalf of your organization that copying this data out of Dataverse into databases you control is
            allowed, and that you are responsible for protecting it there.
          </p>
          <PrivacyTermsAcceptance organization={organization} isAdmin={actor.role === "admin"} />
        </Card>
        <p className="text-sm">
          <Link href="/organizations" className="font-medium text-blue-800 underline">
            Back to organizations
          </Link>
          {" · "}
          <Link href={`/profiles/new?organizationId=${organization.id}`} className="font-medium text-blue-800 underline">
            Create an export profile
          </Link>
        </p>
      </div>
    </>
  );
}
