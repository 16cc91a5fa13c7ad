import "server-only";
import { type Actor, assertAdmin } from "../auth/actor";
import { hashPassword } from "../auth/password";
import type { Db } from "../db";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { parseInput } from "../validation";
import { ZNewUser, ZSetRole, ZUserId, type TRole } from "./schemas";

export interface UserSummary {
  id: string;
  email: string;
  name: string | null;
  role: TRole;
  hasPassword: boolean;
  createdAt: string;
}

const summarySelect = { id: true, email: true, name: true, role: true, passwordHash: true, createdAt: true } as const;

function toSummary(u: { id: string; email: string; name: string | null; role: string; passwordHash: string | null; createdAt: Date }): UserSummary {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role === "admin" ? "admin" : "viewer",
    hasPassword: u.passwordHash !== null,
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
  return toSummary(created);
}

async function adminCount(db: Db): Promise<number> {
  return db.user.count({ where: { role: "admin" } });
}

export async function setUserRole(db: Db, actor: Actor, input: unknown): Promise<UserSummary> {
  assertAdmin(actor);
  const { id, role } = parseInput(ZSetRole, input);
  const user = await db.user.findUnique({ where: { id }, select: { role: true } });
  if (!user) throw new NotFoundError("That user no longer exists.");
  if (user.role === "admin" && role !== "admin" && (await adminCount(db)) <= 1) {
    throw new ValidationError("This is the last admin; make another user an admin first.");
  }
  return toSummary(await db.user.update({ where: { id }, data: { role }, select: summarySelect }));
}

export async function deleteUser(db: Db, actor: Actor, input: unknown): Promise<void> {
  assertAdmin(actor);
  const id = parseInput(ZUserId, input);
  if (id === actor.id) throw new ValidationError("You cannot remove your own account.");
  const user = await db.user.findUnique({ where: { id }, select: { role: true } });
  if (!user) throw new NotFoundError("That user no longer exists.");
  if (user.role === "admin" && (await adminCount(db)) <= 1) {
    throw new ValidationError("This is the last admin; make another user an admin first.");
  }
  await db.user.delete({ where: { id } });
}
