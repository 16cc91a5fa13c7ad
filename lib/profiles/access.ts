import "server-only";
// Who may change which export profile. Admins: every profile. Contributors: only profiles whose
// target is a connection an admin shared with contributors (never an inline target: its secret
// and the privacy agreement are an admin's). Viewers: none. Checked in the services, so the
// portal's actions, pages and the REST API all answer the same.
import { type Actor, assertMayChangeProfiles } from "../auth/actor";
import type { Db } from "../db";
import { ForbiddenError, NotFoundError } from "../errors";
import { isSharedConnection } from "../connections/service";
import { NOT_FOUND } from "./status";

export const NOT_SHARED =
  "Only admins can change this profile: its target is not a connection shared with contributors. Ask an admin to share its connection or to make the change.";

/** Existence first (a missing profile is 404 for everyone allowed to change profiles), then the share. */
export async function assertMayManageProfile(db: Db, actor: Actor, profileId: string): Promise<void> {
  assertMayChangeProfiles(actor);
  const p = await db.profile.findUnique({ where: { id: profileId }, select: { connectionId: true } });
  if (!p) throw new NotFoundError(NOT_FOUND);
  if (actor.role === "admin") return;
  if (!(await isSharedConnection(db, p.connectionId))) throw new ForbiddenError(NOT_SHARED);
}

/** Whether the actor may change this profile (for pages deciding what to offer). */
export async function mayManageProfile(db: Db, actor: Actor, profileId: string): Promise<boolean> {
  try {
    await assertMayManageProfile(db, actor, profileId);
    return true;
  } catch {
    return false;
  }
}

/**
 * Profile input naming a connection but no target type takes the connection's type (the REST API
 * and the wizard may leave it out). Unknown connections are left for usableConnection to refuse.
 */
export async function withConnectionType(db: Db, input: unknown): Promise<unknown> {
  if (!input || typeof input !== "object" || Array.isArray(input)) return input;
  const o = input as Record<string, unknown>;
  if (typeof o.connectionId !== "string" || !o.connectionId || (o.destinationType !== undefined && o.destinationType !== "")) return input;
  const c = UUID.test(o.connectionId) ? await db.connection.findUnique({ where: { id: o.connectionId }, select: { destinationType: true } }) : null;
  return { ...o, destinationType: c?.destinationType ?? "sqlite" };
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A contributor's new profile must name a shared connection; an inline target is an admin's. */
export function assertMayUseInlineTarget(actor: Actor): void {
  if (actor.role !== "admin") {
    throw new ForbiddenError("Only admins can export to a target entered directly. Contributors choose a connection an admin shared with contributors.");
  }
}
