"use client";

import { useQuery } from "@tanstack/react-query";
import type { OrganizationRelationship } from "@/lib/organizations/service";
import { fetchJson } from "../../fetch-json";
import { organizationKeys } from "./query-keys";

export function useOrganizationRelationships(organizationId: string | null, tables: readonly string[]) {
  const query = encodeURIComponent(tables.join(","));
  return useQuery({
    queryKey: organizationKeys.relationships(organizationId ?? "", tables),
    queryFn: () =>
      fetchJson<OrganizationRelationship[]>(`/api/portal/organizations/${organizationId}/relationships?tables=${query}`, "Could not read the relationships of this organization."),
    enabled: !!organizationId && tables.length > 0,
    staleTime: 5 * 60_000,
    retry: false,
  });
}
