"use client";

import { useState } from "react";
import { FetchError } from "../fetch-json";
import { Alert } from "../ui/alert";
import { EmptyState } from "../ui/empty-state";
import { DOWNLOAD_LINK_CLASS, OlderPages } from "../ui/older-pages";
import { AuditFiltersForm } from "./audit-filters";
import { AuditTable } from "./audit-table";
import { auditParams, type AuditFilters } from "./hooks/query-keys";
import { useAuditLog } from "./hooks/use-audit-log";

export function AuditViewer({ initialFilters }: { initialFilters: AuditFilters }) {
  const [filters, setFilters] = useState<AuditFilters>(initialFilters);
  const log = useAuditLog(filters);
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? [];
  const fieldErrors = log.error instanceof FetchError ? log.error.fields : {};
  const q = auditParams(filters).toString();

  function apply(f: AuditFilters) {
    setFilters(f);
    // Keeps the address shareable (and the filters after a reload) without a navigation.
    const next = auditParams(f).toString();
    window.history.replaceState(null, "", next ? `/audit?${next}` : "/audit");
  }

  return (
    <div className="space-y-4">
      <AuditFiltersForm key={q} value={filters} errors={fieldErrors} onApply={apply} />
      <div className="flex flex-wrap items-center gap-3">
        <a href={`/api/portal/audit/download${q ? `?${q}` : ""}`} download className={DOWNLOAD_LINK_CLASS}>
          Download CSV
        </a>
        <p className="text-sm text-slate-600">The download holds every entry that matches the filters, oldest first.</p>
      </div>
      {log.error ? <Alert tone="error">{log.error.message}</Alert> : null}
      {log.isLoading ? (
        <p role="status" className="text-sm text-slate-700">
          Loading…
        </p>
      ) : null}
      {!log.isLoading && !log.error && entries.length === 0 ? (
        <EmptyState title="No entries">Sign-ins and every change an admin makes appear here. Nothing matches these filters.</EmptyState>
      ) : null}
      {entries.length > 0 ? <AuditTable entries={entries} /> : null}
      <OlderPages hasNext={log.hasNextPage} fetching={log.isFetchingNextPage} onMore={() => void log.fetchNextPage()} shown={entries.length} />
    </div>
  );
}
