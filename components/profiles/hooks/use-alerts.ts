"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  createAlertChannelAction, createAlertRuleAction, deleteAlertChannelAction, deleteAlertRuleAction, sendTestAlertAction, updateAlertChannelAction,
} from "@/app/(portal)/profiles/[id]/alerts/actions";
import type { AlertsOverview } from "@/lib/alerts/service";
import { fetchJson } from "../../fetch-json";
import { profileKeys } from "./query-keys";

/** Rules, channels and history; polled, since the worker fires and resolves alerts on its own. */
export function useAlerts(id: string) {
  return useQuery({
    queryKey: profileKeys.alerts(id),
    queryFn: () => fetchJson<AlertsOverview>(`/api/portal/profiles/${id}/alerts`, "Could not load the alerts."),
    refetchInterval: 10_000,
  });
}

type Input = { id: string; ruleId?: string; channelId?: string; rule?: unknown; channel?: unknown };

function useAlertMutation<R extends { ok: boolean }>(fn: (i: Input) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    // A failed test alert is recorded too: refresh either way.
    onSettled: (_r, _e, input) => void client.invalidateQueries({ queryKey: profileKeys.alerts(input.id) }),
  });
}

export const useCreateAlertRule = () => useAlertMutation((i) => createAlertRuleAction(i));
export const useDeleteAlertRule = () => useAlertMutation((i) => deleteAlertRuleAction(i));
export const useCreateAlertChannel = () => useAlertMutation((i) => createAlertChannelAction(i));
export const useUpdateAlertChannel = () => useAlertMutation((i) => updateAlertChannelAction(i));
export const useDeleteAlertChannel = () => useAlertMutation((i) => deleteAlertChannelAction(i));
export const useSendTestAlert = () => useAlertMutation((i) => sendTestAlertAction(i));
