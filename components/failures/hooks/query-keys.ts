import { filterParams } from "../../ui/filter-params";

export interface FailureFilters {
  profileId?: string;
  entity?: string;
  changeType?: string;
  /** ISO instants (UTC). */
  from?: string;
  to?: string;
  search?: string;
}

export const failureParams = (f: FailureFilters) => filterParams(f, ["profileId", "entity", "changeType", "from", "to", "search"] as const);

export const failureKeys = {
  all: ["failures"] as const,
  list: (f: FailureFilters) => [...failureKeys.all, "list", failureParams(f).toString()] as const,
};
