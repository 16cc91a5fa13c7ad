import "server-only";
// Where a profile's data goes, for the profile page: the target with its password and options
// removed (sqlite:/path, postgres://user@host:5432/db). The connection string itself stays write-only.
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import { describeTarget } from "../destinations/target";
import { NotFoundError } from "../errors";
import { decryptSecret } from "../secrets";
import { parseInput } from "../validation";
import { ZProfileId } from "./schemas";
import { asKind } from "./status";
import { KIND_NAMES } from "./target";

export async function describeProfileTarget(db: Db, _actor: Actor, id: unknown): Promise<string> {
  const profileId = parseInput(ZProfileId, id);
  const p = await db.profile.findUnique({ where: { id: profileId }, select: { destinationEnc: true, destinationKeyVaultUri: true, connectionId: true } });
  if (!p) throw new NotFoundError("That profile does not exist.");
  // Over a named connection: its name and type (all a contributor may know of it).
  if (p.connectionId) {
    const c = await db.connection.findUnique({ where: { id: p.connectionId }, select: { name: true, destinationType: true } });
    if (c) return `the connection "${c.name}" (${KIND_NAMES[asKind(c.destinationType)]})`;
  }
  // A Key Vault secret is not read just to show a page: the vault URL says where it is.
  if (p.destinationKeyVaultUri) return `the connection string in ${p.destinationKeyVaultUri}`;
  if (!p.destinationEnc) return "no target yet";
  try {
    return describeTarget(decryptSecret(p.destinationEnc));
  } catch {
    return "(the stored connection string cannot be decrypted with this server's key)";
  }
}
