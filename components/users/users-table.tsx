"use client";

import { useState } from "react";
import type { UserSummary } from "@/lib/users/service";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { useDeleteUser, useSetUserRole } from "./hooks/use-user-mutations";

export function UsersTable({ users, currentUserId }: { users: UserSummary[]; currentUserId: string }) {
  const setRole = useSetUserRole();
  const remove = useDeleteUser();
  const [error, setError] = useState("");

  async function changeRole(user: UserSummary, role: string) {
    const result = await setRole.mutateAsync({ id: user.id, role });
    setError(result.ok ? "" : result.error);
  }

  async function removeUser(user: UserSummary) {
    if (!window.confirm(`Remove ${user.email}? They will no longer be able to sign in.`)) return;
    const result = await remove.mutateAsync(user.id);
    setError(result.ok ? "" : result.error);
  }

  return (
    <div className="space-y-3">
      {error ? <Alert tone="error">{error}</Alert> : null}
      <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
        <caption className="sr-only">Users</caption>
        <thead className="bg-slate-100 text-left text-slate-700">
          <tr>
            <th scope="col" className="px-4 py-2">Email</th>
            <th scope="col" className="px-4 py-2">Name</th>
            <th scope="col" className="px-4 py-2">Sign-in</th>
            <th scope="col" className="px-4 py-2">Role</th>
            <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id} className="border-t border-slate-100" data-testid={`user-row-${user.email}`}>
              <td className="px-4 py-2 font-medium">{user.email}</td>
              <td className="px-4 py-2">{user.name ?? ""}</td>
              <td className="px-4 py-2">{[user.hasPassword ? "password" : null, user.entra ? "Microsoft Entra ID" : null].filter(Boolean).join(", ") || "none"}</td>
              <td className="px-4 py-2">
                <label className="sr-only" htmlFor={`role-${user.id}`}>Role of {user.email}</label>
                <select
                  id={`role-${user.id}`}
                  value={user.role}
                  disabled={setRole.isPending}
                  onChange={(e) => void changeRole(user, e.target.value)}
                  className="rounded-md border border-slate-300 bg-white px-2 py-1"
                >
                  <option value="viewer">viewer</option>
                  <option value="contributor">contributor</option>
                  <option value="admin">admin</option>
                </select>
              </td>
              <td className="px-4 py-2 text-right">
                {user.id === currentUserId ? (
                  <span className="text-xs text-slate-500">you</span>
                ) : (
                  <Button variant="secondary" onClick={() => void removeUser(user)} disabled={remove.isPending}>
                    Remove<span className="sr-only"> {user.email}</span>
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
