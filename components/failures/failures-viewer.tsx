"use client";

import { useEffect, useState } from "react";
import { FetchError } from "../fetch-json";
import { Alert } from "../ui/alert";
import { EmptyState } from "../ui/empty-state";
import { DOWNLOAD_LINK_CLASS, OlderPages } from "../ui/older-pages";
import { FailureFiltersForm } from "./failure-filters";
import { FailuresTable } from "./failures-table";
import { failureParams, type FailureFilters } from "./hooks/query-keys";
import { useFailures } from "./hooks/use-failures";

export function FailuresViewer({ profiles, initialFilters }: { profiles: { id: string; name: string }[]; initialFilters: FailureFilters }) {
  const [filters, setFilters] = useState<FailureFilters>(initialFilters);
  const failures = useFailures(filters);
  const pages = failures.data?.pages ?? [];
  const entries = pages.flatMap((p) => p.entries);
  // A text search answers in bounded steps: a page cut short by its time budget (`searchedTo`) is
  // followed by the next one at once, until a page is full, the log ends, or an error.
  const searchedTo = pages.length > 0 ? pages[pages.length - 1].searchedTo : null;
  const searching = searchedTo !== null && failures.hasNextPage && !failures.error;
  const { fetchNextPage, isFetchingNextPage } = failures;
  useEffect(() => {
    if (searching && !isFetchingNextPage) void fetchNextPage();
  }, [searching, isFetchingNextPage, fetchNextPage]);
  const fieldErrors = failures.error instanceof FetchError ? failures.error.fields : {};
  const download = (format: "des" | "csv") => {
    const q = failureParams(filters);
    q.set("format", format);
    return `/api/portal/failures/download?${q}`;
  };

  function apply(f: FailureFilters) {
    setFilters(f);
    // Keeps the address shareable (and the filters after a reload) without a navigation.
    const q = failureParams(f).toString();
    window.history.replaceState(null, "", q ? `/failures?${q}` : "/failures");
  }

  return (
    <div className="space-y-4">
      <FailureFiltersForm key={failureParams(filters).toString()} profiles={profiles} value={filters} errors={fieldErrors} onApply={apply} />
      <div className="flex flex-wrap items-center gap-3">
        <a href={download("des")} download className={DOWNLOAD_LINK_CLASS}>
          Download log lines
        </a>
        <a href={download("csv")} download className={DOWNLOAD_LINK_CLASS}>
          Download CSV
        </a>
        <p className="text-sm text-slate-600">Downloads hold every entry that matches the filters, oldest first, in the Data Export Service&apos;s line format or as CSV.</p>
      </div>
      {failures.error ? <Alert tone="error">{failures.error.message}</Alert> : null}
      {failures.isLoading ? (
        <p role="status" className="text-sm text-slate-700">
          Loading…
        </p>
      ) : null}
      {searching ? (
        <p role="status" className="text-sm text-slate-700">
          Searching older entries… (back to {searchedTo?.replace("T", " ").slice(0, 19)} UTC so far)
        </p>
      ) : null}
      {!failures.isLoading && !searching && !failures.error && entries.length === 0 ? (
        <EmptyState title="No failures">Records that fail after every retry appear here with the reason. Nothing matches these filters.</EmptyState>
      ) : null}
      {entries.length > 0 ? <FailuresTable entries={entries} showProfile={!filters.profileId} /> : null}
      <OlderPages hasNext={failures.hasNextPage && !searching} fetching={failures.isFetchingNextPage} onMore={() => void failures.fetchNextPage()} shown={entries.length} />
    </div>
  );
}
