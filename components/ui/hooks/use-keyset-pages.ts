"use client";

import { useInfiniteQuery, type QueryKey } from "@tanstack/react-query";
import { fetchJson } from "../../fetch-json";

/**
 * A log read newest first in keyset pages (failure log, audit log): each "older" page asks for the
 * entries below the `nextCursor` of the last page, so paging stays fast however long the log is.
 */
export function useKeysetPages<P extends { nextCursor: string | null }>(o: {
  queryKey: QueryKey;
  /** The route, e.g. /api/portal/failures. */
  path: string;
  /** The filters as query parameters. */
  params: URLSearchParams;
  pageSize: number;
  /** Shown when the route says nothing itself. */
  fallbackError: string;
  refetchInterval?: number;
}) {
  return useInfiniteQuery({
    queryKey: o.queryKey,
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams(o.params);
      q.set("limit", String(o.pageSize));
      if (pageParam) q.set("cursor", pageParam);
      return fetchJson<P>(`${o.path}?${q}`, o.fallbackError);
    },
    initialPageParam: "",
    getNextPageParam: (last: P) => last.nextCursor ?? undefined,
    refetchInterval: o.refetchInterval,
    retry: false,
  });
}
