import "server-only";
// REST: the audit log for admins, PascalCase like the rest of the API. JSON pages newest first
// (keyset: pass NextCursor back as ?cursor=), or every matching entry as CSV with ?format=csv.
import { auditCsvLines, queryAuditLog, type AuditLogEntry } from "../audit/query";
import { assertAdmin } from "../auth/actor";
import { db } from "../db";
import { ValidationError } from "../errors";
import { fileStamp, lineDownloadResponse } from "../http/line-download";
import { apiRoute } from "./route";

export function desAuditEntry(e: AuditLogEntry): Record<string, unknown> {
  return {
    Id: e.id,
    Time: e.at,
    ActorKind: e.actorKind,
    ActorId: e.actorId,
    Actor: e.actor,
    Action: e.action,
    ObjectType: e.objectType,
    ObjectId: e.objectId,
    ObjectName: e.objectLabel,
    Before: e.before,
    After: e.after,
    IpAddress: e.ip,
  };
}

/** Query parameters as filters; empty ones mean "no filter", and `format` is not a filter. */
function filters(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (v.trim() !== "" && k !== "format") out[k] = v;
  return out;
}

export const getAudit = (req: Request) =>
  apiRoute("GET audit", req, async (actor, url) => {
    assertAdmin(actor);
    const format = (url.searchParams.get("format") ?? "json").toLowerCase();
    if (format !== "json" && format !== "csv") throw new ValidationError("format: must be json or csv.", { format: "Must be json or csv." });
    if (format === "csv") {
      const { cursor: _c, limit: _l, ...rest } = filters(url);
      return lineDownloadResponse(await auditCsvLines(db, actor, rest), { filename: `audit-${fileStamp()}.csv`, csv: true });
    }
    const page = await queryAuditLog(db, actor, filters(url));
    return { Entries: page.entries.map(desAuditEntry), NextCursor: page.nextCursor };
  });
