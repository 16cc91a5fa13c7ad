// Builds the ChangeSource of an organization row: a static bearer token (the emulator, or a
// token obtained elsewhere) or Entra ID client credentials. Secrets are decrypted here only.
import { DataverseClient } from "../dataverse/client";
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

export const createSource: SourceFactory = (org) => {
  if (org.staticTokenEnc) return new DataverseClient({ url: org.url, token: decryptSecret(org.staticTokenEnc) });
  return new DataverseClient({
    url: org.url,
    tenantId: org.tenantId ?? undefined,
    clientId: org.clientId ?? undefined,
    clientSecret: org.clientSecretEnc ? decryptSecret(org.clientSecretEnc) : undefined,
  });
};
