"use client";

import Link from "next/link";
import { useState } from "react";
import type { OrganizationSummary } from "@/lib/organizations/service";
import type { ProfileSummary } from "@/lib/profiles/status";
import { Alert } from "../ui/alert";
import { EmptyState } from "../ui/empty-state";
import { ProgressBar } from "../ui/progress-bar";
import { SelectField } from "../ui/select-field";
import { formatLag, formatUtc } from "../ui/time-text";
import type { ProfileListFilters } from "./hooks/query-keys";
import { useProfiles } from "./hooks/use-profiles";
import { PROFILE_STATE_OPTIONS, ProfileStateBadge } from "./state-badge";
import { ScrollRegion } from "@/components/ui/scroll-region";

const KINDS: Record<string, string> = { sqlite: "SQLite", postgres: "PostgreSQL", mssql: "SQL Server", datalake: "Data lake" };

interface Props {
  organizations: Pick<OrganizationSummary, "id" | "name">[];
  initial: { filters: ProfileListFilters; data: ProfileSummary[] };
  isAdmin: boolean;
}

export function ProfilesList({ organizations, initial, isAdmin }: Props) {
  const [filters, setFiltersState] = useState<ProfileListFilters>(initial.filters);
  // The address keeps the filters, so a reload or a shared link shows the same list.
  const setFilters = (update: (f: ProfileListFilters) => ProfileListFilters) => {
    const next = update(filters);
    setFiltersState(next);
    const q = new URLSearchParams();
    if (next.organizationId) q.set("organizationId", next.organizationId);
    if (next.state) q.set("state", next.state);
    window.history.replaceState(null, "", q.size ? `/profiles?${q}` : "/profiles");
  };
  const profiles = useProfiles(filters, initial);
  const list = profiles.data ?? [];
  const filtered = !!(filters.organizationId || filters.state);

  return (
    <div className="space-y-4">
      <form role="search" aria-label="Filter profiles" className="flex flex-wrap gap-4" onSubmit={(e) => e.preventDefault()}>
        <div className="w-64">
          <SelectField
            label="Organization"
            name="organizationFilter"
            value={filters.organizationId ?? ""}
            onChange={(e) => setFilters((f) => ({ ...f, organizationId: e.target.value || undefined }))}
            options={[{ value: "", label: "All organizations" }, ...organizations.map((o) => ({ value: o.id, label: o.name }))]}
          />
        </div>
        <div className="w-56">
          <SelectField
            label="State"
            name="stateFilter"
            value={filters.state ?? ""}
            onChange={(e) => setFilters((f) => ({ ...f, state: e.target.value || undefined }))}
            options={[{ value: "", label: "All states" }, ...PROFILE_STATE_OPTIONS]}
          />
        </div>
      </form>
      {profiles.error ? <Alert tone="error">{profiles.error.message}</Alert> : null}
      {profiles.isLoading ? <p role="status" className="text-sm text-slate-700">Loading…</p> : null}
      {!profiles.isLoading && list.length === 0 ? (
        filtered ? (
          <EmptyState title="No profile matches these filters">Choose another organization or state.</EmptyState>
        ) : (
          <EmptyState title="No export profile yet">
            {isAdmin ? (
              <>
                A profile picks an organization&apos;s tables and a target database.{" "}
                <Link href="/profiles/new" className="font-medium text-blue-800 underline">
                  Create the first one
                </Link>
                .
              </>
            ) : (
              "An admin needs to create an export profile first."
            )}
          </EmptyState>
        )
      ) : null}
      {list.length > 0 ? (
        <ScrollRegion label="Profiles">
          <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
            <caption className="sr-only">Export profiles</caption>
            <thead className="bg-slate-100 text-left text-slate-700">
              <tr>
                <th scope="col" className="px-3 py-2">Name</th>
                <th scope="col" className="px-3 py-2">Organization</th>
                <th scope="col" className="px-3 py-2">State</th>
                <th scope="col" className="px-3 py-2">Target</th>
                <th scope="col" className="px-3 py-2">Tables</th>
                <th scope="col" className="px-3 py-2">Last sync</th>
                <th scope="col" className="px-3 py-2">Lag</th>
                <th scope="col" className="px-3 py-2 text-right">Records synced</th>
                <th scope="col" className="px-3 py-2 text-right">Failures</th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.id} className="border-t border-slate-100 align-top" data-testid={`profile-row-${p.name}`}>
                  <td className="px-3 py-2 font-medium">
                    <Link href={`/profiles/${p.id}`} className="text-blue-800 underline">
                      {p.name}
                    </Link>
                  </td>
                  <td className="px-3 py-2">{p.organizationName}</td>
                  <td className="space-y-1 px-3 py-2">
                    <ProfileStateBadge state={p.state} initialProgress={p.initialProgress} />
                    {p.initialProgress ? <ProgressBar done={p.initialProgress.done} total={p.initialProgress.total} label={`Initial export of ${p.name}`} /> : null}
                  </td>
                  <td className="px-3 py-2">{KINDS[p.destinationType] ?? p.destinationType}</td>
                  <td className="px-3 py-2 tabular-nums">{p.tableCount}</td>
                  <td className="whitespace-nowrap px-3 py-2">{formatUtc(p.lastSyncAt)}</td>
                  <td className="px-3 py-2">{formatLag(p.lagSeconds)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{p.recordsSynced.toLocaleString("en-US")}</td>
                  <td className="px-3 py-2 text-right tabular-nums">
                    {p.failures > 0 ? (
                      <Link href={`/failures?profileId=${p.id}`} className="text-red-800 underline">
                        {p.failures.toLocaleString("en-US")}
                        <span className="sr-only"> failures of {p.name}</span>
                      </Link>
                    ) : (
                      0
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      ) : null}
    </div>
  );
}
