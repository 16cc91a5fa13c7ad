"use client";

import type { UserSummary } from "@/lib/users/service";
import { Alert } from "../ui/alert";
import { useUsers } from "./hooks/use-users";
import { EntraLinkForm } from "./entra-link-form";
import { NewUserForm } from "./new-user-form";
import { UsersTable } from "./users-table";

export function UsersManager({ initialUsers, currentUserId }: { initialUsers: UserSummary[]; currentUserId: string }) {
  const users = useUsers(initialUsers);
  return (
    <div className="space-y-8">
      {users.error ? <Alert tone="error">{users.error.message}</Alert> : null}
      <UsersTable users={users.data} currentUserId={currentUserId} />
      <NewUserForm />
      <EntraLinkForm users={users.data} />
    </div>
  );
}
