import { filterParams } from "../../ui/filter-params";

export interface AuditFilters {
  actor?: string;
  action?: string;
  objectType?: string;
  object?: string;
  /** ISO instants (UTC). */
  from?: string;
  to?: string;
}

export const AUDIT_FILTER_KEYS = ["actor", "action", "objectType", "object", "from", "to"] as const;

export const auditParams = (f: AuditFilters) => filterParams(f, AUDIT_FILTER_KEYS);

export const auditKeys = {
  all: ["audit"] as const,
  list: (f: AuditFilters) => [...auditKeys.all, "list", auditParams(f).toString()] as const,
};
