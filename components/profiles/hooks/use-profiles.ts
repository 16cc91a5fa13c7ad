"use client";

import { useQuery } from "@tanstack/react-query";
import type { ProfileSummary } from "@/lib/profiles/status";
import { fetchJson } from "../../fetch-json";
import { profileKeys, type ProfileListFilters } from "./query-keys";

export function useProfiles(filters: ProfileListFilters, initial?: { filters: ProfileListFilters; data: ProfileSummary[] }) {
  const q = new URLSearchParams();
  if (filters.organizationId) q.set("organizationId", filters.organizationId);
  if (filters.state) q.set("state", filters.state);
  const sameFilters = initial && (initial.filters.organizationId ?? "") === (filters.organizationId ?? "") && (initial.filters.state ?? "") === (filters.state ?? "");
  return useQuery({
    queryKey: profileKeys.list(filters),
    queryFn: () => fetchJson<ProfileSummary[]>(`/api/portal/profiles?${q}`, "Could not load the profiles."),
    initialData: sameFilters ? initial.data : undefined,
    // Live states and progress without reloading.
    refetchInterval: 5_000,
  });
}
