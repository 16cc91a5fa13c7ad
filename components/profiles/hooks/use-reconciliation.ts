"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { reconcileProfileAction, updateReconcileScheduleAction } from "@/app/(portal)/profiles/[id]/actions";
import type { ReconciliationView } from "@/lib/profiles/reconciliation";
import { fetchJson } from "../../fetch-json";
import { profileKeys } from "./query-keys";


/** Polls fast while a request waits or runs, slowly otherwise. */
export function useReconciliation(id: string) {
  return useQuery({
    queryKey: profileKeys.reconciliation(id),
    queryFn: () => fetchJson<ReconciliationView>(`/api/portal/profiles/${id}/reconciliation`, "Could not load the reconciliation."),
    refetchInterval: (query) => {
      const s = query.state.data?.latest?.status;
      return s === "requested" || s === "running" ? 1_500 : 10_000;
    },
  });
}

export function useReconcile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (i: { id: string; tables?: string[]; repair?: boolean }) => reconcileProfileAction(i),
    onSuccess: (result, input) => {
      if (result.ok) void client.invalidateQueries({ queryKey: profileKeys.reconciliation(input.id) });
    },
  });
}

export function useUpdateReconcileSchedule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (i: { id: string; schedule: { enabled: boolean; timeUtc: string; everyHours: number | null } }) => updateReconcileScheduleAction(i),
    onSuccess: (result, input) => {
      if (result.ok) void client.invalidateQueries({ queryKey: profileKeys.reconciliation(input.id) });
    },
  });
}
