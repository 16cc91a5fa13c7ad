"use client";

import type { AuditPage } from "@/lib/audit/query";
import { useKeysetPages } from "../../ui/hooks/use-keyset-pages";
import { auditKeys, auditParams, type AuditFilters } from "./query-keys";

/** Newest first, keyset pages, refreshed while the page is open. */
export function useAuditLog(filters: AuditFilters) {
  return useKeysetPages<AuditPage>({
    queryKey: auditKeys.list(filters),
    path: "/api/portal/audit",
    params: auditParams(filters),
    pageSize: 50,
    fallbackError: "Could not load the audit log.",
    refetchInterval: 15_000,
  });
}
