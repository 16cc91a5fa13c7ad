import type { Metadata } from "next";
import Link from "next/link";
import { ProfileDetailView } from "@/components/profiles/profile-detail";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { orNotFound } from "@/lib/portal/or-not-found";
import { mayManageProfile } from "@/lib/profiles/access";
import { getProfile } from "@/lib/profiles/status";
import { describeProfileTarget } from "@/lib/profiles/target-description";

export const metadata: Metadata = { title: "Export profile" };
export const dynamic = "force-dynamic";

export default async function ProfilePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageSession();
  const profile = await orNotFound(getProfile(db, actor, (await params).id));
  const target = await describeProfileTarget(db, actor, profile.id);
  const mayManage = await mayManageProfile(db, actor, profile.id);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/profiles" className="text-blue-800 underline">
          ← All profiles
        </Link>
      </p>
      <PageHeader title={profile.name} description="Live status of this export profile." />
      <ProfileDetailView initialProfile={profile} target={target} isAdmin={mayManage} canManageAlerts={actor.role === "admin"} />
    </>
  );
}
