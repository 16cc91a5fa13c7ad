export interface FailureFilters {
  profileId?: string;
  entity?: string;
  changeType?: string;
  /** ISO instants (UTC). */
  from?: string;
  to?: string;
  search?: string;
}

/** Only the filters that are set, in a fixed order: the same filters give the same key and URL. */
export function failureParams(f: FailureFilters): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of ["profileId", "entity", "changeType", "from", "to", "search"] as const) {
    const v = f[k]?.trim();
    if (v) q.set(k, v);
  }
  return q;
}

export const failureKeys = {
  all: ["failures"] as const,
  list: (f: FailureFilters) => [...failureKeys.all, "list", failureParams(f).toString()] as const,
};
