"use client";

import type { FailurePage } from "@/lib/profiles/failures";
import { useKeysetPages } from "../../ui/hooks/use-keyset-pages";
import { failureKeys, failureParams, type FailureFilters } from "./query-keys";

/** Newest first, keyset pages: each "older" page starts below the last entry seen. */
export function useFailures(filters: FailureFilters) {
  return useKeysetPages<FailurePage>({
    queryKey: failureKeys.list(filters),
    path: "/api/portal/failures",
    params: failureParams(filters),
    pageSize: 50,
    fallbackError: "Could not load the failure log.",
    refetchInterval: 15_000,
  });
}
