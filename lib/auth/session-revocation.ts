// Session cookies are JWTs: nothing on the server remembers them, so signing out alone would leave
// a copied cookie working until it expires (8 h). Each user therefore has a token version in the
// store; a cookie carries the version it was issued with and the JWT callback compares it on every
// request. Sign-out and a role change bump the version, which ends every session of that user (all
// browsers: there is no per-session record); deleting the user ends them too.
import type { Db } from "../db";

/** Ends every session of the user. */
export async function revokeSessions(db: Db, userId: string): Promise<void> {
  await db.user.updateMany({ where: { id: userId }, data: { tokenVersion: { increment: 1 } } });
}

/** Whether a cookie issued for `userId` at `version` still stands (the user exists and signed out of nothing since). */
export async function sessionStillValid(db: Db, userId: string, version: unknown): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { tokenVersion: true } });
  // Cookies issued before token versions existed carry none: they count as version 0.
  return !!user && user.tokenVersion === (version ?? 0);
}
