"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createProfileAction } from "@/app/(portal)/profiles/new/actions";
import { organizationKeys } from "../../organizations/hooks/query-keys";
import { profileKeys } from "./query-keys";

export function useCreateProfile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (v: { input: unknown; activate: boolean }) => createProfileAction(v.input, { activate: v.activate }),
    onSuccess: (result) => {
      if (!result.ok) return;
      void client.invalidateQueries({ queryKey: profileKeys.lists() });
      // The organizations list shows a profile count.
      void client.invalidateQueries({ queryKey: organizationKeys.list() });
    },
  });
}
