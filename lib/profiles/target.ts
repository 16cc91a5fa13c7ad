import "server-only";
// The target connection string of a profile: given inline (stored encrypted) or as a Key Vault
// secret URL (read when the profile is validated or activated). Never returned to a caller.
import type { DestinationKind } from "../destinations/types";
import { ValidationError } from "../errors";
import { decryptSecret } from "../secrets";
import { assertNotPortalTarget, targetKind } from "../sync/open-target";
import { resolveKeyVaultSecret } from "./key-vault";

export const KIND_NAMES: Record<DestinationKind, string> = { sqlite: "SQLite", postgres: "PostgreSQL", mssql: "SQL Server", datalake: "data lake" };

/** Checks that the text parses as a target of the chosen type; the message never echoes the text. */
export async function assertTargetKind(destinationType: DestinationKind, text: string, field = "connectionString"): Promise<void> {
  let kind: DestinationKind;
  try {
    kind = await targetKind(text);
  } catch (err) {
    const msg = err instanceof Error && err.name === "TargetFormatError" ? err.message : "The connection string could not be read.";
    throw new ValidationError(msg, { [field]: msg });
  }
  if (kind !== destinationType) {
    const msg = `This is a ${KIND_NAMES[kind]} connection string, but the target type is ${KIND_NAMES[destinationType]}.`;
    throw new ValidationError(msg, { [field]: msg });
  }
  try {
    assertNotPortalTarget(text);
  } catch (err) {
    const msg = (err as Error).message;
    throw new ValidationError(msg, { [field]: msg });
  }
}

/** The connection string of a stored profile: the Key Vault secret when one is set, else the stored one. */
export async function storedTargetText(p: { destinationEnc: string | null; destinationKeyVaultUri: string | null }): Promise<string> {
  if (p.destinationKeyVaultUri) return resolveKeyVaultSecret(p.destinationKeyVaultUri);
  if (!p.destinationEnc) throw new ValidationError("This profile has no target connection string; edit it and enter one.", { connectionString: "Enter the target's connection string." });
  return decryptSecret(p.destinationEnc);
}

export function targetTextOf(input: { connectionString?: string; keyVaultSecretUrl?: string }): Promise<string> {
  return input.keyVaultSecretUrl ? resolveKeyVaultSecret(input.keyVaultSecretUrl) : Promise.resolve(input.connectionString!);
}
