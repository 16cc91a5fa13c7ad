import type { Metadata } from "next";
import { Alert } from "@/components/ui/alert";
import { PageHeader } from "@/components/ui/page-header";
import { UsersManager } from "@/components/users/users-manager";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { listUsers } from "@/lib/users/service";

export const metadata: Metadata = { title: "Users" };
export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const actor = await requirePageSession();
  if (actor.role !== "admin") {
    return (
      <>
        <PageHeader title="Users" />
        <Alert tone="error">Only admins can manage users. Ask an admin if you need a different role.</Alert>
      </>
    );
  }
  const users = await listUsers(db, actor);
  return (
    <>
      <PageHeader title="Users" description="Who can sign in. Admins change anything; viewers see everything read-only." />
      <UsersManager initialUsers={users} currentUserId={actor.id} />
    </>
  );
}
