import "server-only";
import { recordAudit } from "../audit/record";
import { type Actor, assertAdmin } from "../auth/actor";
import { hashPassword } from "../auth/password";
import type { Db } from "../db";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { parseInput } from "../validation";
import { roleOf, ZNewUser, ZSetEntraIdentity, ZSetRole, ZUserId, type TRole } from "./schemas";

export interface UserSummary {
  id: string;
  email: string;
  name: string | null;
  role: TRole;
  hasPassword: boolean;
  /** The Microsoft Entra ID identity the user signs in with, if linked. */
  entra: { objectId: string; tenantId: string } | null;
  createdAt: string;
}

const summarySelect = { id: true, email: true, name: true, role: true, passwordHash: true, entraObjectId: true, entraTenantId: true, createdAt: true } as const;

type SummaryRow = {
  id: string; email: string; name: string | null; role: string; passwordHash: string | null;
  entraObjectId: string | null; entraTenantId: string | null; createdAt: Date;
};

function toSummary(u: SummaryRow): UserSummary {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: roleOf(u.role),
    hasPassword: u.passwordHash !== null,
    entra: u.entraObjectId && u.entraTenantId ? { objectId: u.entraObjectId, tenantId: u.entraTenantId } : null,
    createdAt: u.createdAt.toISOString(),
  };
}

export async function listUsers(db: Db, actor: Actor): Promise<UserSummary[]> {
  assertAdmin(actor);
  const rows = await db.user.findMany({ select: summarySelect, orderBy: { email: "asc" } });
  return rows.map(toSummary);
}

export async function createUser(db: Db, actor: Actor, input: unknown): Promise<UserSummary> {
  assertAdmin(actor);
  const data = parseInput(ZNewUser, input);
  const existing = await db.user.findUnique({ where: { email: data.email }, select: { id: true } });
  if (existing) throw new ConflictError(`A user with the email ${data.email} already exists.`, "email");
  const created = await db.user.create({
    data: { email: data.email, name: data.name || null, role: data.role, passwordHash: await hashPassword(data.password) },
    select: summarySelect,
  });
  await recordAudit(db, actor, {
    action: "user.create",
    object: { type: "user", id: created.id, label: created.email },
    after: { email: created.email, name: created.name, role: created.role, hasPassword: true },
  });
  return toSummary(created);
}

const LAST_ADMIN = "This is the last admin; make another user an admin first.";

/**
 * Runs `fn` with every admin row locked, so that "is this the last admin?" and the change that
 * depends on it happen as one step: two admins demoting or deleting each other at once cannot
 * both see the other one still there. The first statement is a write: on SQLite it takes the
 * store's write lock, on PostgreSQL the row locks of every admin (a concurrent transaction waits,
 * then re-reads which rows are still admins).
 */
async function withAdminsLocked<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`UPDATE "User" SET "role" = "role" WHERE "role" = 'admin'`;
      return fn(tx as unknown as Db);
    },
    { maxWait: 30_000, timeout: 60_000 },
  );
}

export async function setUserRole(db: Db, actor: Actor, input: unknown): Promise<UserSummary> {
  assertAdmin(actor);
  const { id, role } = parseInput(ZSetRole, input);
  return withAdminsLocked(db, async (tx) => {
    const user = await tx.user.findUnique({ where: { id }, select: { role: true } });
    if (!user) throw new NotFoundError("That user no longer exists.");
    if (user.role === "admin" && role !== "admin" && (await tx.user.count({ where: { role: "admin" } })) <= 1) {
      throw new ValidationError(LAST_ADMIN);
    }
    // A changed role ends the user's sessions: they sign in again and see what the new role allows.
    const data = user.role === role ? { role } : { role, tokenVersion: { increment: 1 } };
    const updated = await tx.user.update({ where: { id }, data, select: summarySelect });
    await recordAudit(tx, actor, { action: "user.role_change", object: { type: "user", id, label: updated.email }, before: { role: user.role }, after: { role } });
    return toSummary(updated);
  });
}

export async function deleteUser(db: Db, actor: Actor, input: unknown): Promise<void> {
  assertAdmin(actor);
  const id = parseInput(ZUserId, input);
  if (id === actor.id) throw new ValidationError("You cannot remove your own account.");
  await withAdminsLocked(db, async (tx) => {
    const user = await tx.user.findUnique({ where: { id }, select: { role: true, email: true, name: true } });
    if (!user) throw new NotFoundError("That user no longer exists.");
    if (user.role === "admin" && (await tx.user.count({ where: { role: "admin" } })) <= 1) {
      throw new ValidationError(LAST_ADMIN);
    }
    await tx.user.delete({ where: { id } });
    await recordAudit(tx, actor, { action: "user.delete", object: { type: "user", id, label: user.email }, before: user });
  });
}

/**
 * Links a user (also a local one) to a Microsoft Entra ID identity, or unlinks it: that identity
 * then signs in as this user. Ends the user's sessions (who they are changed).
 */
export async function setEntraIdentity(db: Db, actor: Actor, input: unknown): Promise<UserSummary> {
  assertAdmin(actor);
  const { id, link } = parseInput(ZSetEntraIdentity, input);
  try {
    const before = await db.user.findUnique({ where: { id }, select: { entraObjectId: true, entraTenantId: true } });
    const row = await db.user.update({
      where: { id },
      data: { entraObjectId: link?.objectId ?? null, entraTenantId: link?.tenantId ?? null, tokenVersion: { increment: 1 } },
      select: summarySelect,
    });
    await recordAudit(db, actor, {
      action: "user.entra_link",
      object: { type: "user", id, label: row.email },
      before,
      after: { entraObjectId: link?.objectId ?? null, entraTenantId: link?.tenantId ?? null },
    });
    return toSummary(row);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "P2025") throw new NotFoundError("That user no longer exists.");
    if (code === "P2002") throw new ConflictError("That Entra ID identity is already linked to another user.", "entraObjectId");
    throw err;
  }
}
