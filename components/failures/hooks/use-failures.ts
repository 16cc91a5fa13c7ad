"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import type { FailurePage } from "@/lib/profiles/failures";
import { fetchJson } from "../../fetch-json";
import { failureKeys, failureParams, type FailureFilters } from "./query-keys";

const PAGE_SIZE = 50;

/** Newest first, keyset pages: each "older" page starts below the last id seen. */
export function useFailures(filters: FailureFilters) {
  return useInfiniteQuery({
    queryKey: failureKeys.list(filters),
    queryFn: ({ pageParam }) => {
      const q = failureParams(filters);
      q.set("limit", String(PAGE_SIZE));
      if (pageParam) q.set("cursor", pageParam);
      return fetchJson<FailurePage>(`/api/portal/failures?${q}`, "Could not load the failure log.");
    },
    initialPageParam: "",
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 15_000,
    retry: false,
  });
}
