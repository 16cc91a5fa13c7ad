"use client";

import { useQuery } from "@tanstack/react-query";
import type { UserSummary } from "@/lib/users/service";
import { userKeys } from "./query-keys";

async function fetchUsers(): Promise<UserSummary[]> {
  const res = await fetch("/api/users", { headers: { accept: "application/json" } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? "Could not load users.");
  return body as UserSummary[];
}

export function useUsers(initialData: UserSummary[]) {
  return useQuery({ queryKey: userKeys.list(), queryFn: fetchUsers, initialData });
}
