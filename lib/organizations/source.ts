import "server-only";
// A Dataverse client for a request in the portal or the API: few retries and a short timeout,
// because a person is waiting (the engine builds its own, patient client in lib/sync).
import { DataverseClient } from "../dataverse/client";
import type { Db } from "../db";
import { NotFoundError } from "../errors";
import { decryptSecret } from "../secrets";

export interface OrganizationConnection {
  url: string;
  tenantId: string | null;
  clientId: string | null;
  clientSecretEnc: string | null;
  staticTokenEnc: string | null;
}

export const CONNECTION_SELECT = { url: true, tenantId: true, clientId: true, clientSecretEnc: true, staticTokenEnc: true } as const;

export function interactiveClient(org: OrganizationConnection): DataverseClient {
  const retry = { maxRetries: 1, baseDelayMs: 500, timeoutMs: 20_000, maxThrottleWaitSeconds: 20, maxRetryAfterSeconds: 10 };
  if (org.staticTokenEnc) return new DataverseClient({ url: org.url, token: decryptSecret(org.staticTokenEnc), ...retry });
  return new DataverseClient({
    url: org.url,
    tenantId: org.tenantId ?? undefined,
    clientId: org.clientId ?? undefined,
    clientSecret: org.clientSecretEnc ? decryptSecret(org.clientSecretEnc) : undefined,
    ...retry,
  });
}

/** The client of a stored organization (secrets are decrypted only here, never returned). */
export async function clientForOrganization(db: Db, organizationId: string): Promise<DataverseClient> {
  const org = await db.organization.findUnique({ where: { id: organizationId }, select: CONNECTION_SELECT });
  if (!org) throw new NotFoundError("That organization does not exist.");
  return interactiveClient(org);
}
