import "server-only";
// A Dataverse client for a request in the portal or the API: few retries and a short timeout,
// because a person is waiting (the engine builds its own, patient client in lib/sync).
import type { DataverseClient } from "../dataverse/client";
import type { Db } from "../db";
import { NotFoundError } from "../errors";
import { SecretDecryptionError } from "../secrets";
import { UnreadableSecretError } from "./errors";
import { dataverseClientFor, type OrganizationCredentials } from "../sync/source-factory";

export type OrganizationConnection = OrganizationCredentials & { id: string; name: string };

export const CONNECTION_SELECT = { id: true, name: true, url: true, tenantId: true, clientId: true, clientSecretEnc: true, staticTokenEnc: true } as const;

/** Throws UnreadableSecretError (409, says how to re-enter it) when the stored secret cannot be decrypted. */
export function interactiveClient(org: OrganizationConnection): DataverseClient {
  try {
    return dataverseClientFor(org, { maxRetries: 1, baseDelayMs: 500, timeoutMs: 20_000, maxThrottleWaitSeconds: 20, maxRetryAfterSeconds: 10 });
  } catch (err) {
    if (err instanceof SecretDecryptionError) throw new UnreadableSecretError(org.id, org.name);
    throw err;
  }
}

/** The client of a stored organization (secrets are decrypted only here, never returned). */
export async function clientForOrganization(db: Db, organizationId: string): Promise<DataverseClient> {
  const org = await db.organization.findUnique({ where: { id: organizationId }, select: CONNECTION_SELECT });
  if (!org) throw new NotFoundError("That organization does not exist.");
  return interactiveClient(org);
}
