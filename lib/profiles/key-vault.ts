import "server-only";
// A target connection string kept in Azure Key Vault, as the old product allowed. The Azure SDK is
// loaded only when a profile uses it; DefaultAzureCredential finds a managed identity, workload
// identity, environment credentials or an Azure CLI login, whichever this host has.
import { ValidationError } from "../errors";
import { KEY_VAULT_SECRET_URL } from "./schemas";

export interface KeyVaultSecretRef {
  vaultUrl: string;
  name: string;
  version?: string;
}

/** Splits a secret URL; throws a ValidationError on the keyVaultSecretUrl field when it is not one. */
export function parseKeyVaultSecretUrl(url: string): KeyVaultSecretRef {
  const t = url.trim();
  if (!KEY_VAULT_SECRET_URL.test(t)) {
    throw new ValidationError("The Key Vault secret URL looks like https://myvault.vault.azure.net/secrets/target-connection.", {
      keyVaultSecretUrl: "The Key Vault secret URL looks like https://myvault.vault.azure.net/secrets/target-connection (optionally /<version>).",
    });
  }
  const u = new URL(t);
  const [, , name, version] = u.pathname.replace(/\/$/, "").split("/");
  return { vaultUrl: u.origin, name, ...(version ? { version } : {}) };
}

/** Reads the secret's value (the target connection string). Needs network access to the vault. */
export async function resolveKeyVaultSecret(url: string): Promise<string> {
  const ref = parseKeyVaultSecretUrl(url);
  const [{ SecretClient }, { DefaultAzureCredential }] = await Promise.all([import("@azure/keyvault-secrets"), import("@azure/identity")]);
  try {
    const secret = await new SecretClient(ref.vaultUrl, new DefaultAzureCredential()).getSecret(ref.name, ref.version ? { version: ref.version } : {});
    if (!secret.value) throw new Error("empty");
    return secret.value;
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    const why =
      status === 404 ? `the secret ${ref.name} does not exist in ${ref.vaultUrl}`
      : status === 403 ? `this server's identity may not read secrets in ${ref.vaultUrl} (grant it the "Key Vault Secrets User" role or a Get secret access policy)`
      : status === 401 || (err as Error).name === "CredentialUnavailableError" || (err as Error).name === "AggregateAuthenticationError"
        ? "no Azure identity is available on this server (managed identity, AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or az login)"
      : (err as Error).message === "empty" ? "the secret is empty"
      : `${ref.vaultUrl} could not be reached`;
    throw new ValidationError(`Could not read the target connection string from Key Vault: ${why}.`, { keyVaultSecretUrl: `Could not read the secret: ${why}.` });
  }
}
