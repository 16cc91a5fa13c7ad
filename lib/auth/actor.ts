import { ForbiddenError } from "../errors";
import type { TRole } from "../users/schemas";

/** Who is acting: a signed-in user (later also an API token). Services authorize against it. */
export interface Actor {
  id: string;
  email: string;
  name: string | null;
  role: TRole;
}

export function assertAdmin(actor: Actor): void {
  if (actor.role !== "admin") throw new ForbiddenError("Only admins can do this. Ask an admin to change your role.");
}
