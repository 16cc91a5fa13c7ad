import type { Metadata } from "next";
import { ProfileEditForm } from "@/components/profiles/profile-edit-form";
import { Alert } from "@/components/ui/alert";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { orNotFound } from "@/lib/portal/or-not-found";
import { mayManageProfile } from "@/lib/profiles/access";
import { getProfile } from "@/lib/profiles/status";
import { listConnections } from "@/lib/connections/service";

export const metadata: Metadata = { title: "Edit export profile" };
export const dynamic = "force-dynamic";

export default async function EditProfilePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageSession();
  const profile = await orNotFound(getProfile(db, actor, (await params).id));
  if (!(await mayManageProfile(db, actor, profile.id))) {
    return (
      <>
        <PageHeader title={`Edit ${profile.name}`} />
        <Alert tone="error">
          {actor.role === "contributor"
            ? "Only admins can change this profile: its target is not a connection shared with contributors."
            : "Only admins and contributors can change export profiles."}
        </Alert>
      </>
    );
  }
  const connections = (await listConnections(db, actor)).map((c) => ({ id: c.id, name: c.name, destinationType: c.destinationType }));
  return (
    <>
      <PageHeader title={`Edit ${profile.name}`} description="Changes apply at once; an active profile restarts with them." />
      <ProfileEditForm profile={profile} connections={connections} />
    </>
  );
}
