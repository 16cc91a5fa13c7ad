import "server-only";
// Reading the audit log (admins only): newest first with keyset paging on the id, like the failure
// viewer, and the whole filtered log as CSV lines, oldest first. Reading is all this module does.
import { type Actor, assertAdmin } from "../auth/actor";
import { csvRow } from "../csv";
import type { Db } from "../db";
import type { Prisma } from "../generated/prisma/client";
import { containsText } from "../store/text-match";
import { keysetPage, parseInput } from "../validation";
import { ZAuditFilters, ZAuditQuery, type TAuditFilters } from "./schemas";

export interface AuditLogEntry {
  id: number;
  at: string;
  actorKind: string;
  actorId: string | null;
  actor: string;
  action: string;
  objectType: string;
  objectId: string | null;
  objectLabel: string | null;
  /** The changed fields before and after, secrets already redacted when recorded. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  ip: string | null;
}

export interface AuditPage {
  entries: AuditLogEntry[];
  nextCursor: string | null;
}

const SELECT = {
  id: true, at: true, actorKind: true, actorId: true, actorLabel: true, action: true, objectType: true, objectId: true, objectLabel: true,
  before: true, after: true, ip: true,
} as const;

type Row = Prisma.AuditEventGetPayload<{ select: typeof SELECT }>;

function whereOf(db: Db, f: TAuditFilters): Prisma.AuditEventWhereInput {
  return {
    ...(f.actor ? { actorLabel: containsText(db, f.actor) } : {}),
    ...(f.action ? { action: f.action.includes(".") ? f.action : { startsWith: `${f.action}.` } } : {}),
    ...(f.objectType ? { objectType: f.objectType } : {}),
    ...(f.object ? { OR: [{ objectId: f.object }, { objectLabel: containsText(db, f.object) }] } : {}),
    ...(f.from || f.to ? { at: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } } : {}),
  };
}

const parseJson = (s: string | null) => (s ? (JSON.parse(s) as Record<string, unknown>) : null);

function toEntry(r: Row): AuditLogEntry {
  return {
    id: r.id,
    at: r.at.toISOString(),
    actorKind: r.actorKind,
    actorId: r.actorId,
    actor: r.actorLabel,
    action: r.action,
    objectType: r.objectType,
    objectId: r.objectId,
    objectLabel: r.objectLabel,
    before: parseJson(r.before),
    after: parseJson(r.after),
    ip: r.ip,
  };
}

export async function queryAuditLog(db: Db, actor: Actor, query: unknown): Promise<AuditPage> {
  assertAdmin(actor);
  const q = parseInput(ZAuditQuery, query ?? {});
  const rows = await db.auditEvent.findMany({
    where: { ...whereOf(db, q), ...(q.cursor ? { id: { lt: Number(q.cursor) } } : {}) },
    orderBy: { id: "desc" },
    take: q.limit + 1,
    select: SELECT,
  });
  const page = keysetPage(rows, q.limit, (r) => r.id);
  return { entries: page.rows.map(toEntry), nextCursor: page.nextCursor };
}

export const AUDIT_CSV_HEADER = "Time (UTC),Actor kind,Actor,Action,Object type,Object id,Object,Before,After,IP";

/** Every entry matching the filters as CSV lines (header first), oldest first, 1,000 rows per read. */
export async function auditCsvLines(db: Db, actor: Actor, input: unknown): Promise<AsyncIterable<string>> {
  assertAdmin(actor);
  const where = whereOf(db, parseInput(ZAuditFilters, input ?? {}));
  return (async function* () {
    yield AUDIT_CSV_HEADER;
    let after = 0;
    for (;;) {
      const rows = await db.auditEvent.findMany({ where: { ...where, id: { gt: after } }, orderBy: { id: "asc" }, take: 1000, select: SELECT });
      for (const r of rows) {
        yield csvRow([r.at.toISOString(), r.actorKind, r.actorLabel, r.action, r.objectType, r.objectId ?? "", r.objectLabel ?? "", r.before ?? "", r.after ?? "", r.ip ?? ""]);
      }
      if (rows.length < 1000) return;
      after = rows[rows.length - 1].id;
    }
  })();
}
