"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createUserAction, deleteUserAction, setUserEntraIdentityAction, setUserRoleAction } from "@/app/(portal)/users/actions";
import type { ActionResult } from "@/lib/http/action-result";
import { userKeys } from "./query-keys";

/** Server actions answer { ok, error } instead of throwing; the list is refetched only after a change. */
export function useUserMutation<I, T>(action: (input: I) => Promise<ActionResult<T>>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: (result) => {
      if (result.ok) void client.invalidateQueries({ queryKey: userKeys.list() });
    },
  });
}

export const useCreateUser = () => useUserMutation(createUserAction);
export const useSetUserRole = () => useUserMutation(setUserRoleAction);
export const useDeleteUser = () => useUserMutation(deleteUserAction);
export const useSetUserEntraIdentity = () => useUserMutation(setUserEntraIdentityAction);
