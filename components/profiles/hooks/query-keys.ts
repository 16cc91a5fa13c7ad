export interface ProfileListFilters {
  organizationId?: string;
  state?: string;
}

export const profileKeys = {
  all: ["profiles"] as const,
  lists: () => [...profileKeys.all, "list"] as const,
  list: (filters: ProfileListFilters) => [...profileKeys.lists(), { organizationId: filters.organizationId ?? "", state: filters.state ?? "" }] as const,
  details: () => [...profileKeys.all, "detail"] as const,
  detail: (id: string) => [...profileKeys.details(), id] as const,
  throughput: (id: string, sinceMinutes: number) => [...profileKeys.detail(id), "throughput", sinceMinutes] as const,
  reconciliation: (id: string) => [...profileKeys.detail(id), "reconciliation"] as const,
  runs: (id: string) => [...profileKeys.detail(id), "runs"] as const,
  alerts: (id: string) => [...profileKeys.detail(id), "alerts"] as const,
};
