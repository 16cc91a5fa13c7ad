"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { runNowAction } from "@/app/(portal)/profiles/[id]/actions";
import type { RefreshView } from "@/lib/profiles/refresh";
import { fetchJson } from "../../fetch-json";
import { profileKeys } from "./query-keys";

/** The run history and next run of a scheduled export: fast while a run waits or runs. */
export function useRefreshRuns(id: string) {
  return useQuery({
    queryKey: profileKeys.runs(id),
    queryFn: () => fetchJson<RefreshView>(`/api/portal/profiles/${id}/runs`, "Could not load the run history."),
    refetchInterval: (query) => {
      const d = query.state.data;
      return d?.requestedAt || d?.runs[0]?.result === "running" ? 1_500 : 10_000;
    },
  });
}

export function useRunNow() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (i: { id: string }) => runNowAction(i),
    onSuccess: (result, input) => {
      if (result.ok) void client.invalidateQueries({ queryKey: profileKeys.runs(input.id) });
    },
  });
}
