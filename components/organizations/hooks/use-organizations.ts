"use client";

import { useQuery } from "@tanstack/react-query";
import type { OrganizationSummary } from "@/lib/organizations/service";
import { fetchJson } from "../../fetch-json";
import { organizationKeys } from "./query-keys";

export function useOrganizations(initialData?: OrganizationSummary[]) {
  return useQuery({
    queryKey: organizationKeys.list(),
    queryFn: () => fetchJson<OrganizationSummary[]>("/api/portal/organizations", "Could not load the organizations."),
    initialData,
  });
}
