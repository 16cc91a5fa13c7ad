import "server-only";
// What a profile may say about its lake database (checked by lib/profiles/service.ts before
// anything is written): only a CSV data lake has one; a name is unique per lake location (two
// exports naming the same database in the same container and path would write the same folder's
// model.json and table books); a name this export used before is not taken again (its folder holds
// the old, frozen database).
import type { Db } from "../db";
import { ConflictError, ValidationError } from "../errors";
import { describeLake, looksLikeLake, parseLakeTarget } from "../destinations/lake/lake-target";
import { decryptSecret } from "../secrets";

const fieldError = (msg: string) => new ValidationError(msg, { lakeDatabase: msg });

export function assertDatabaseFitsTarget(database: string | null | undefined, destinationType: string, lakeFormat: string): void {
  if (!database) return;
  if (destinationType !== "datalake") throw fieldError("A database name applies only to data lake targets. Leave it empty for a SQL database target.");
  if (lakeFormat === "delta") throw fieldError("A lake database reads CSV files (as Synapse does): choose the CSV format, or leave the database name empty for Delta tables.");
}

/** The lake's place (container and path, no secret), or null when the text is not a lake. */
function locationOf(targetText: string | null): string | null {
  if (!targetText || !looksLikeLake(targetText)) return null;
  try {
    return describeLake(parseLakeTarget(targetText)).toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Refuses a database another export already writes at the same lake location (case-insensitive:
 * Synapse database names are, and so are Windows and macOS folders), or one this export used before.
 */
export async function assertDatabaseFree(db: Db, database: string, targetText: string | null, profileId: string | null): Promise<void> {
  if (profileId) {
    const used = await db.previousLakeDatabase.findMany({ where: { profileId }, select: { name: true, stoppedAt: true } });
    const old = used.find((u) => u.name.toLowerCase() === database.toLowerCase());
    if (old) {
      throw new ConflictError(`${old.name} was this export's database until ${old.stoppedAt.toISOString()} and is kept as it was; choose a new database name.`, "lakeDatabase");
    }
  }
  const here = locationOf(targetText);
  if (!here) return;
  const others = await db.profile.findMany({
    where: { destinationType: "datalake", lakeDatabase: { not: null }, ...(profileId ? { id: { not: profileId } } : {}) },
    select: { name: true, lakeDatabase: true, destinationEnc: true },
  });
  for (const o of others) {
    if (o.lakeDatabase!.toLowerCase() !== database.toLowerCase() || !o.destinationEnc) continue;
    let text: string | null = null;
    try {
      text = decryptSecret(o.destinationEnc);
    } catch {
      continue;
    }
    if (locationOf(text) === here) {
      throw new ConflictError(`The export "${o.name}" already keeps a database named ${o.lakeDatabase} in this lake; choose another database name.`, "lakeDatabase");
    }
  }
}
