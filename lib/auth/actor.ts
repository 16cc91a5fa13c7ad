import { ForbiddenError } from "../errors";
import type { TRole } from "../users/schemas";

/** Who is acting: a signed-in user (later also an API token). Services authorize against it. */
export interface Actor {
  id: string;
  email: string;
  name: string | null;
  role: TRole;
  /** The client's address (lib/auth/client-ip.ts) when the actor came from a request: the audit log keeps it. */
  ip?: string | null;
}

export function assertAdmin(actor: Actor): void {
  if (actor.role !== "admin") throw new ForbiddenError("Only admins can do this. Ask an admin to change your role.");
}

/** Admins and contributors change export profiles (contributors only those over a shared connection). */
export function mayChangeProfiles(actor: Actor): boolean {
  return actor.role === "admin" || actor.role === "contributor";
}

export function assertMayChangeProfiles(actor: Actor): void {
  if (!mayChangeProfiles(actor)) {
    throw new ForbiddenError("Only admins and contributors can change export profiles. Ask an admin to change your role.");
  }
}
