import type { Metadata } from "next";
import path from "node:path";
import { ProfileWizard } from "@/components/profiles/wizard/profile-wizard";
import { Alert } from "@/components/ui/alert";
import { PageHeader } from "@/components/ui/page-header";
import { mayChangeProfiles } from "@/lib/auth/actor";
import { requirePageSession } from "@/lib/auth/session";
import { dataDir } from "@/lib/config/paths";
import { db } from "@/lib/db";
import { listConnections } from "@/lib/connections/service";
import { listOrganizations } from "@/lib/organizations/service";

export const metadata: Metadata = { title: "New export profile" };
export const dynamic = "force-dynamic";

export default async function NewProfilePage({ searchParams }: { searchParams: Promise<{ organizationId?: string | string[] }> }) {
  const actor = await requirePageSession();
  if (!mayChangeProfiles(actor)) {
    return (
      <>
        <PageHeader title="New export profile" />
        <Alert tone="error">Only admins and contributors can create export profiles. Ask an admin if you need one.</Alert>
      </>
    );
  }
  const connections = (await listConnections(db, actor)).map((c) => ({ id: c.id, name: c.name, destinationType: c.destinationType }));
  const connectionsOnly = actor.role !== "admin";
  if (connectionsOnly && connections.length === 0) {
    return (
      <>
        <PageHeader title="New export profile" />
        <Alert tone="error">No connection is shared with contributors yet. Ask an admin to share one.</Alert>
      </>
    );
  }
  const organizations = await listOrganizations(db, actor);
  const asked = (await searchParams).organizationId;
  const preferred = organizations.find((o) => o.id === asked) ?? organizations.find((o) => o.privacyAcceptedAt) ?? organizations[0];
  // A SQLite file beside the portal store: works on a fresh install with nothing else set up.
  const defaultTarget = `sqlite:${path.join(dataDir(), "export.db")}`;
  return (
    <>
      <PageHeader
        title="New export profile"
        description="Pick what to export from a Dataverse organization and where to, check it, then create it. Your entries are kept if you leave this page."
      />
      <ProfileWizard
        organizations={organizations}
        connections={connections}
        connectionsOnly={connectionsOnly}
        defaults={{ organizationId: preferred?.id, connectionString: defaultTarget, connection: connectionsOnly ? connections[0] : undefined }}
      />
    </>
  );
}
