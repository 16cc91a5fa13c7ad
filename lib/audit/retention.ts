// The one place audit entries leave the store: entries older than AUDIT_RETENTION_DAYS (default
// 365: a year covers the yearly access reviews most audits ask for; 0 keeps them forever) are
// removed by the worker's housekeeping (lib/sync/retention.ts). Nothing else deletes or edits them.
import type { Db } from "../db";

export const DEFAULT_AUDIT_RETENTION_DAYS = 365;

/** Days to keep, or null to keep forever. */
export function auditRetentionDays(value = process.env.AUDIT_RETENTION_DAYS): number | null {
  const v = (value ?? "").trim();
  if (v === "") return DEFAULT_AUDIT_RETENTION_DAYS;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`AUDIT_RETENTION_DAYS must be a whole number of days (0 keeps entries forever), got "${value}"`);
  return n === 0 ? null : n;
}

/** Removes the entries older than the retention; returns how many. */
export async function pruneAuditLog(db: Db, days = auditRetentionDays(), now = new Date()): Promise<number> {
  if (days === null) return 0;
  const { count } = await db.auditEvent.deleteMany({ where: { at: { lt: new Date(now.getTime() - days * 86_400_000) } } });
  return count;
}
