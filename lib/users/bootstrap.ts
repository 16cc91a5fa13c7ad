import crypto from "node:crypto";
import { hashPassword } from "../auth/password";
import type { Db } from "../db";
import { ZEmail, ZNewPassword } from "./schemas";

export type BootstrapResult =
  | { kind: "existing" }
  | { kind: "from-env"; email: string }
  | { kind: "generated"; email: string; password: string };

/**
 * The first admin: ADMIN_EMAIL / ADMIN_PASSWORD when set (created if that user is missing),
 * else, on an empty store, admin@localhost with a random password the caller prints once.
 */
export async function ensureFirstAdmin(db: Db, env: NodeJS.ProcessEnv = process.env): Promise<BootstrapResult> {
  if (env.ADMIN_EMAIL || env.ADMIN_PASSWORD) {
    const email = ZEmail.safeParse(env.ADMIN_EMAIL ?? "");
    if (!email.success) throw new Error(`ADMIN_EMAIL is not a valid email address: ${email.error.issues[0]?.message}`);
    const password = ZNewPassword.safeParse(env.ADMIN_PASSWORD ?? "");
    if (!password.success) throw new Error(`ADMIN_PASSWORD is not usable: ${password.error.issues[0]?.message}`);
    const existing = await db.user.findUnique({ where: { email: email.data }, select: { id: true } });
    if (existing) return { kind: "existing" };
    await db.user.create({ data: { email: email.data, role: "admin", name: "Administrator", passwordHash: await hashPassword(password.data) } });
    return { kind: "from-env", email: email.data };
  }
  if ((await db.user.count()) > 0) return { kind: "existing" };
  const password = crypto.randomBytes(12).toString("base64url");
  const email = "admin@localhost";
  await db.user.create({ data: { email, role: "admin", name: "Administrator", passwordHash: await hashPassword(password) } });
  return { kind: "generated", email, password };
}
