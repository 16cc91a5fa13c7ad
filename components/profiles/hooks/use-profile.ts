"use client";

import { useQuery } from "@tanstack/react-query";
import type { ProfileDetail } from "@/lib/profiles/status";
import { fetchJson } from "../../fetch-json";
import { profileKeys } from "./query-keys";

/** Polls fast while something is moving (activating, initial export), slower once in sync. */
export function useProfile(id: string, initialData?: ProfileDetail) {
  return useQuery({
    queryKey: profileKeys.detail(id),
    queryFn: () => fetchJson<ProfileDetail>(`/api/portal/profiles/${id}`, "Could not load the profile."),
    initialData,
    refetchInterval: (query) => {
      const p = query.state.data;
      if (!p) return 5_000;
      const busy = p.state === "activating" || p.initialProgress !== null || p.tables.some((t) => t.phase === "initial-export" || t.phase === "metadata");
      return busy ? 1_500 : 3_000;
    },
  });
}
