"use client";

import { useQuery } from "@tanstack/react-query";
import type { OrganizationTable } from "@/lib/organizations/service";
import { fetchJson } from "../../fetch-json";
import { organizationKeys } from "./query-keys";

/** The source's tables change rarely: read once per wizard visit, not polled. */
export function useOrganizationTables(organizationId: string | null) {
  return useQuery({
    queryKey: organizationKeys.tables(organizationId ?? ""),
    queryFn: () => fetchJson<OrganizationTable[]>(`/api/portal/organizations/${organizationId}/tables`, "Could not read the tables of this organization."),
    enabled: !!organizationId,
    staleTime: 5 * 60_000,
    retry: false,
  });
}
