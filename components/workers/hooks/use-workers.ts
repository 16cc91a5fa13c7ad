"use client";

import { useQuery } from "@tanstack/react-query";
import type { WorkerSummary } from "@/lib/workers/service";
import { fetchJson } from "../../fetch-json";
import { workerKeys } from "./query-keys";

/** Polled: heartbeats and takeovers change every few seconds. */
export function useWorkers(initialData?: WorkerSummary[]) {
  return useQuery({
    queryKey: workerKeys.list(),
    queryFn: () => fetchJson<WorkerSummary[]>("/api/portal/workers", "Could not load the workers."),
    initialData,
    refetchInterval: 3000,
  });
}
