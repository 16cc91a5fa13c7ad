import "server-only";
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { db } from "../db";
import { UnauthorizedError } from "../errors";
import { type Actor, assertAdmin } from "./actor";
import { requestIp } from "./request-ip";
import { authOptions } from "./options";
import { roleOf } from "../users/schemas";

export type { Actor };

// The request's headers decide the cookie names (Secure behind HTTPS); outside a request (tests
// calling actions directly) there are none.
async function requestHeaders(): Promise<Headers | undefined> {
  try {
    return await headers();
  } catch {
    return undefined;
  }
}

// The role is read from the store on every request, not from the cookie, so a role
// change or a removed user takes effect at once.
export const currentActor = cache(async (): Promise<Actor | null> => {
  const session = await getServerSession(authOptions(await requestHeaders()));
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  const user = await db.user.findUnique({ where: { id }, select: { id: true, email: true, name: true, role: true } });
  return user ? { ...user, role: roleOf(user.role), ip: await requestIp() } : null;
});

/** For pages: an anonymous visitor goes to sign-in. */
export async function requirePageSession(): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) redirect("/signin");
  return actor;
}

/** For actions and routes: throws instead of redirecting. */
export async function requireActor(): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) throw new UnauthorizedError();
  return actor;
}

export async function requireAdminActor(): Promise<Actor> {
  const actor = await requireActor();
  assertAdmin(actor);
  return actor;
}
