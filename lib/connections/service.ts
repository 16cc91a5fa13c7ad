import "server-only";
// Named destination connections (issue 13): an admin defines a target once — its secret, the data
// privacy and compliance agreement, and whether contributors may export over it. Profiles name a
// connection instead of carrying a target of their own; the secret is copied (encrypted) into
// each such profile, so the engine opens every profile the same way, and replaced in all of them
// when the admin changes it. Contributors and viewers see only the name and type of shared ones.
import { type Actor, assertAdmin } from "../auth/actor";
import type { Db } from "../db";
import { describeTarget } from "../destinations/target";
import type { DestinationKind } from "../destinations/types";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { decryptSecret, encryptSecret } from "../secrets";
import { asKind } from "../profiles/status";
import { assertTargetKind } from "../profiles/target";
import { ZProfileId } from "../profiles/schemas";
import { deactivateProfile } from "../sync/profile-store";
import { parseInput } from "../validation";
import { AGREE_TERMS, ZConnectionId, ZConnectionUpdate, ZNewConnection } from "./schemas";
import { recordAudit } from "../audit/record";

/** What a contributor or viewer may know of a connection. */
export interface ConnectionSummary {
  id: string;
  name: string;
  destinationType: DestinationKind;
}

/** What an admin sees (never the secret). */
export interface ConnectionDetail extends ConnectionSummary {
  sharedWithContributors: boolean;
  /** The target without password or key: sqlite:/path, postgres://user@host/db, … */
  target: string;
  termsAcceptedAt: string;
  termsAcceptedBy: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  exports: { id: string; name: string; state: string }[];
}

export type ConnectionView = ConnectionSummary | ConnectionDetail;

export const CONNECTION_NOT_FOUND = "That connection does not exist.";

const DETAIL_SELECT = {
  id: true, name: true, destinationType: true, secretEnc: true, sharedWithContributors: true, termsAcceptedAt: true, termsAcceptedBy: true,
  createdBy: true, createdAt: true, updatedAt: true,
} as const;
type Row = { id: string; name: string; destinationType: string; secretEnc: string; sharedWithContributors: boolean; termsAcceptedAt: Date; termsAcceptedBy: string; createdBy: string | null; createdAt: Date; updatedAt: Date };

function safeDescription(secretEnc: string): string {
  try {
    return describeTarget(decryptSecret(secretEnc));
  } catch {
    return "(the stored secret cannot be decrypted with this server's key)";
  }
}

async function toDetail(db: Db, r: Row): Promise<ConnectionDetail> {
  const exports = await db.profile.findMany({ where: { connectionId: r.id }, select: { id: true, name: true, state: true }, orderBy: { name: "asc" } });
  return {
    id: r.id, name: r.name, destinationType: asKind(r.destinationType), sharedWithContributors: r.sharedWithContributors,
    target: safeDescription(r.secretEnc), termsAcceptedAt: r.termsAcceptedAt.toISOString(), termsAcceptedBy: r.termsAcceptedBy,
    createdBy: r.createdBy, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(), exports,
  };
}

const summary = (r: { id: string; name: string; destinationType: string }): ConnectionSummary => ({ id: r.id, name: r.name, destinationType: asKind(r.destinationType) });

/** Admins: every connection in full. Others: name and type of the ones shared with contributors. */
export async function listConnections(db: Db, actor: Actor): Promise<ConnectionView[]> {
  if (actor.role !== "admin") {
    const rows = await db.connection.findMany({ where: { sharedWithContributors: true }, select: { id: true, name: true, destinationType: true }, orderBy: { name: "asc" } });
    return rows.map(summary);
  }
  const rows = await db.connection.findMany({ select: DETAIL_SELECT, orderBy: { name: "asc" } });
  return Promise.all(rows.map((r) => toDetail(db, r)));
}

/** One connection; a non-admin learns nothing of one not shared with contributors (404). */
export async function getConnection(db: Db, actor: Actor, id: unknown): Promise<ConnectionView> {
  const connectionId = parseInput(ZConnectionId, id);
  const r = await db.connection.findUnique({ where: { id: connectionId }, select: DETAIL_SELECT });
  if (!r || (actor.role !== "admin" && !r.sharedWithContributors)) throw new NotFoundError(CONNECTION_NOT_FOUND);
  return actor.role === "admin" ? toDetail(db, r) : summary(r);
}

function nameTaken(name: string): ConflictError {
  return new ConflictError(`A connection named "${name}" already exists. Choose another name.`, "name");
}
const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === "P2002";

export async function createConnection(db: Db, actor: Actor, input: unknown): Promise<ConnectionDetail> {
  assertAdmin(actor);
  const data = parseInput(ZNewConnection, input);
  await assertTargetKind(data.destinationType, data.connectionString);
  if (await db.connection.findUnique({ where: { name: data.name }, select: { id: true } })) throw nameTaken(data.name);
  try {
    const row = await db.connection.create({
      data: {
        name: data.name, destinationType: data.destinationType, secretEnc: encryptSecret(data.connectionString),
        sharedWithContributors: data.sharedWithContributors, termsAcceptedAt: new Date(), termsAcceptedBy: actor.email, createdBy: actor.email,
      },
      select: DETAIL_SELECT,
    });
    await recordAudit(db, actor, {
      action: "connection.create",
      object: { type: "connection", id: row.id, label: row.name },
      // The target's secret is never written (redacted by name too): only its kind and who may use it.
      after: { name: row.name, destinationType: row.destinationType, sharedWithContributors: row.sharedWithContributors, termsAccepted: true },
    });
    return toDetail(db, row);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(data.name);
    throw err;
  }
}

/**
 * Rename, share or un-share (exports are kept either way), or give a new secret: it needs the
 * agreement again and replaces the copy in every profile over the connection (running ones restart).
 */
export async function updateConnection(db: Db, actor: Actor, id: unknown, input: unknown): Promise<ConnectionDetail> {
  assertAdmin(actor);
  const connectionId = parseInput(ZConnectionId, id);
  const data = parseInput(ZConnectionUpdate, input ?? {});
  const current = await db.connection.findUnique({ where: { id: connectionId }, select: { id: true, name: true, destinationType: true, sharedWithContributors: true } });
  if (!current) throw new NotFoundError(CONNECTION_NOT_FOUND);
  let secretEnc: string | undefined;
  if (data.connectionString) {
    if (!data.agreeToTerms) throw new ValidationError(AGREE_TERMS, { agreeToTerms: AGREE_TERMS });
    await assertTargetKind(asKind(current.destinationType), data.connectionString);
    secretEnc = encryptSecret(data.connectionString);
  }
  if (data.name && data.name !== current.name && (await db.connection.findUnique({ where: { name: data.name }, select: { id: true } }))) throw nameTaken(data.name);
  try {
    await db.$transaction(async (tx) => {
      await tx.connection.update({
        where: { id: connectionId },
        data: {
          ...(data.name !== undefined ? { name: data.name } : {}),
          ...(data.sharedWithContributors !== undefined ? { sharedWithContributors: data.sharedWithContributors } : {}),
          ...(secretEnc ? { secretEnc, termsAcceptedAt: new Date(), termsAcceptedBy: actor.email } : {}),
        },
      });
      if (secretEnc) await tx.profile.updateMany({ where: { connectionId }, data: { destinationEnc: secretEnc, version: { increment: 1 } } });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(data.name ?? current.name);
    throw err;
  }
  await recordAudit(db, actor, {
    action: "connection.update",
    object: { type: "connection", id: connectionId, label: data.name ?? current.name },
    // A new secret shows only as replaced, never its value.
    before: { name: current.name, sharedWithContributors: current.sharedWithContributors, secret: secretEnc ? "old" : undefined },
    after: { name: data.name ?? current.name, sharedWithContributors: data.sharedWithContributors ?? current.sharedWithContributors, secret: secretEnc ? "new" : undefined },
  });
  return toDetail(db, await db.connection.findUniqueOrThrow({ where: { id: connectionId }, select: DETAIL_SELECT }));
}

/** Refused while exports use it: remove them or detach them first. */
export async function deleteConnection(db: Db, actor: Actor, id: unknown): Promise<void> {
  assertAdmin(actor);
  const connectionId = parseInput(ZConnectionId, id);
  const removed = await db.$transaction(async (tx) => {
    const c = await tx.connection.findUnique({ where: { id: connectionId }, select: { id: true, name: true, destinationType: true } });
    if (!c) throw new NotFoundError(CONNECTION_NOT_FOUND);
    const users = await tx.profile.findMany({ where: { connectionId }, select: { name: true }, orderBy: { name: "asc" } });
    if (users.length) {
      throw new ConflictError(
        `The connection "${c.name}" is used by ${users.length === 1 ? "the export" : `${users.length} exports`} ${users.map((u) => `"${u.name}"`).join(", ")}. Remove or detach ${users.length === 1 ? "it" : "them"} first.`,
      );
    }
    await tx.connection.delete({ where: { id: connectionId } });
    return c;
  });
  await recordAudit(db, actor, {
    action: "connection.delete",
    object: { type: "connection", id: connectionId, label: removed.name },
    before: { name: removed.name, destinationType: removed.destinationType },
  });
}

/** The export keeps its tables, state and history but loses its target: it stops (inactive) until an admin gives it one. */
export async function detachExport(db: Db, actor: Actor, profileId: unknown): Promise<void> {
  assertAdmin(actor);
  const id = parseInput(ZProfileId, profileId);
  const p = await db.profile.findUnique({ where: { id }, select: { connectionId: true, name: true } });
  if (!p) throw new NotFoundError("That profile does not exist.");
  if (!p.connectionId) throw new ValidationError("This export does not use a connection.");
  await deactivateProfile(db, id);
  await db.profile.update({ where: { id }, data: { connectionId: null, destinationEnc: null, destinationKeyVaultUri: null, version: { increment: 1 } } });
  await recordAudit(db, actor, {
    action: "connection.detach_export",
    object: { type: "profile", id, label: p.name },
    before: { connectionId: p.connectionId },
    after: { connectionId: null, state: "Inactive" },
  });
}

/** For the profile services: the connection a profile is to use, if this actor may use it. */
export async function usableConnection(db: Db, actor: Actor, connectionId: string): Promise<{ id: string; name: string; destinationType: DestinationKind; secretEnc: string }> {
  const c = await db.connection.findUnique({ where: { id: connectionId }, select: { id: true, name: true, destinationType: true, secretEnc: true, sharedWithContributors: true } });
  if (!c || (actor.role !== "admin" && !c.sharedWithContributors)) {
    throw new ValidationError(CONNECTION_NOT_FOUND, { connectionId: actor.role === "admin" ? CONNECTION_NOT_FOUND : "No connection shared with contributors has this id." });
  }
  return { id: c.id, name: c.name, destinationType: asKind(c.destinationType), secretEnc: c.secretEnc };
}

/** Whether contributors may change a profile over this connection. */
export async function isSharedConnection(db: Db, connectionId: string | null): Promise<boolean> {
  if (!connectionId) return false;
  const c = await db.connection.findUnique({ where: { id: connectionId }, select: { sharedWithContributors: true } });
  return c?.sharedWithContributors === true;
}

export function assertNoInlineTargetWithConnection(input: { connectionString?: string; keyVaultSecretUrl?: string }): void {
  if (input.connectionString || input.keyVaultSecretUrl) {
    const msg = "Use a connection or give a target of your own, not both.";
    throw new ValidationError(msg, { connectionId: msg });
  }
}

