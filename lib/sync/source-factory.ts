// Builds the ChangeSource of an organization row: a static bearer token (the emulator, or a
// token obtained elsewhere) or Entra ID client credentials. Secrets are decrypted here only.
import { DataverseClient, type DataverseClientOptions } from "../dataverse/client";
import type { ChangeSource } from "../dataverse/types";
import { decryptSecret } from "../secrets";

export interface OrganizationCredentials {
  url: string;
  tenantId: string | null;
  clientId: string | null;
  clientSecretEnc: string | null;
  staticTokenEnc: string | null;
}

export type SourceFactory = (org: OrganizationCredentials) => ChangeSource;

/** The Dataverse client of an organization row; `options` tunes retries and timeouts. */
export function dataverseClientFor(org: OrganizationCredentials, options: Partial<DataverseClientOptions> = {}): DataverseClient {
  if (org.staticTokenEnc) return new DataverseClient({ ...options, url: org.url, token: decryptSecret(org.staticTokenEnc) });
  return new DataverseClient({
    ...options,
    url: org.url,
    tenantId: org.tenantId ?? undefined,
    clientId: org.clientId ?? undefined,
    clientSecret: org.clientSecretEnc ? decryptSecret(org.clientSecretEnc) : undefined,
  });
}

export const createSource: SourceFactory = (org) => dataverseClientFor(org);
