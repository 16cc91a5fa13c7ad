"use client";

import { useQuery } from "@tanstack/react-query";
import type { ThroughputPoint } from "@/lib/profiles/status";
import { fetchJson } from "../../fetch-json";
import { profileKeys } from "./query-keys";

export function useThroughput(id: string, sinceMinutes: number) {
  return useQuery({
    queryKey: profileKeys.throughput(id, sinceMinutes),
    queryFn: () => fetchJson<ThroughputPoint[]>(`/api/portal/profiles/${id}/throughput?minutes=${sinceMinutes}`, "Could not load the throughput."),
    refetchInterval: 10_000,
  });
}
