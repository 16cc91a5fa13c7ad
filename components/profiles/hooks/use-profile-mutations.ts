"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  activateProfileAction,
  deactivateProfileAction,
  deleteProfileAction,
  resyncFailedRecordsAction,
  resyncTableAction,
  testProfileAction,
} from "@/app/(portal)/profiles/[id]/actions";
import { updateProfileAction } from "@/app/(portal)/profiles/[id]/edit/actions";
import type { ActionResult } from "@/lib/http/action-result";
import { organizationKeys } from "../../organizations/hooks/query-keys";
import { profileKeys } from "./query-keys";

/** A change to one profile refetches that profile and the lists it appears in, nothing else. */
function useProfileMutation<I extends { id: string }, T>(action: (input: I) => Promise<ActionResult<T>>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: (result, input) => {
      if (!result.ok) return;
      void client.invalidateQueries({ queryKey: profileKeys.detail(input.id) });
      void client.invalidateQueries({ queryKey: profileKeys.lists() });
    },
  });
}

export const useActivateProfile = () => useProfileMutation((i: { id: string; what: "all" | "metadata" | "data" }) => activateProfileAction(i));
export const useDeactivateProfile = () => useProfileMutation((i: { id: string }) => deactivateProfileAction(i));
export const useResyncTable = () => useProfileMutation((i: { id: string; logicalName: string }) => resyncTableAction(i));
export const useResyncFailedRecords = () => useProfileMutation((i: { id: string }) => resyncFailedRecordsAction(i));
export const useUpdateProfile = () => useProfileMutation((i: { id: string; changes: unknown }) => updateProfileAction(i));

// Reads only: nothing to invalidate.
export const useTestProfile = () => useMutation({ mutationFn: (i: { id: string }) => testProfileAction(i) });

export function useDeleteProfile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (i: { id: string }) => deleteProfileAction(i),
    onSuccess: (result, input) => {
      if (!result.ok) return;
      client.removeQueries({ queryKey: profileKeys.detail(input.id) });
      void client.invalidateQueries({ queryKey: profileKeys.lists() });
      void client.invalidateQueries({ queryKey: organizationKeys.list() });
    },
  });
}
