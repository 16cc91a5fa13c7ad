// The one way to write the audit log. Services call it after a change succeeded, with the actor
// they were given (it carries the client's address, see lib/auth/actor.ts):
//
//   await recordAudit(db, actor, { action: "user.role_change", object: { type: "user", id, label: email },
//                                  before: { role: "viewer" }, after: { role: "admin" } });
//
// Only the fields that differ are kept, secrets redacted (redact.ts). The application only ever
// appends: there is no update or delete here, and retention.ts is the one place rows leave.
// No "server-only": the CLI's token commands record through the same services.
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import type { AuditAction, AuditObjectType } from "./actions";
import { changedFields, type Fields } from "./redact";

export interface AuditObject {
  type: AuditObjectType;
  id?: string | null;
  /** A name a person recognises (email, profile name), as it was at the time. */
  label?: string | null;
}

export interface AuditEntry {
  action: AuditAction;
  object: AuditObject;
  before?: Fields | null;
  after?: Fields | null;
}

/** Who acted, as the log keeps it. A failed sign-in has no actor yet: `anonymousActor(ip)`. */
export type AuditActor = Pick<Actor, "id" | "email"> & { ip?: string | null };

export function anonymousActor(ip: string | null | undefined, label = "anonymous"): AuditActor {
  return { id: "", email: label, ip: ip ?? null };
}

export function actorKind(actor: AuditActor): "user" | "token" | "cli" | "anonymous" {
  if (!actor.id) return "anonymous";
  if (actor.id.startsWith("token:")) return "token";
  if (actor.id === "cli") return "cli";
  return "user";
}

const actorId = (actor: AuditActor) => (actor.id ? actor.id.replace(/^token:/, "") : null);

export async function recordAudit(db: Pick<Db, "auditEvent">, actor: AuditActor, entry: AuditEntry): Promise<void> {
  const { before, after } = changedFields(entry.before, entry.after);
  await db.auditEvent.create({
    data: {
      actorKind: actorKind(actor),
      actorId: actorId(actor),
      actorLabel: actor.email,
      action: entry.action,
      objectType: entry.object.type,
      objectId: entry.object.id ?? null,
      objectLabel: entry.object.label ?? null,
      before: before ? JSON.stringify(before) : null,
      after: after ? JSON.stringify(after) : null,
      ip: actor.ip ?? null,
    },
    select: { id: true },
  });
}
