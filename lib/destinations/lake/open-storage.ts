// ParsedLake → LakeStorage. The Azure SDK is loaded only for blob targets.
import { FolderStorage } from "./folder-storage";
import type { ParsedLake } from "./lake-target";
import type { LakeStorage } from "./storage";

/** The organization's app registration, used when the target carries no key, SAS or connection string. */
export interface ClientCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export interface OpenStorageOptions {
  credentials?: ClientCredentials | null;
  /** Attempts per storage request (the SDK retries with backoff); validation uses fewer. */
  maxTries?: number;
  /** Entra ID authority (default https://login.microsoftonline.com; sovereign clouds, tests). */
  authorityHost?: string;
}

export async function openStorage(p: ParsedLake, opts: OpenStorageOptions = {}): Promise<LakeStorage & { probe(): Promise<void> }> {
  if (p.storage === "folder") return new FolderStorage(p.root);
  const { BlobServiceClient, StorageSharedKeyCredential } = await import("@azure/storage-blob");
  const { BlobStorage } = await import("./blob-storage");
  const options = { retryOptions: { maxTries: opts.maxTries ?? 4, tryTimeoutInMs: opts.maxTries === 1 ? 15_000 : 120_000 } };
  let service: InstanceType<typeof BlobServiceClient>;
  const url = p.blobEndpoint;
  switch (p.auth.kind) {
    case "connectionString":
      service = BlobServiceClient.fromConnectionString(p.auth.connectionString, options);
      break;
    case "key":
      service = new BlobServiceClient(url, new StorageSharedKeyCredential(p.account, p.auth.accountKey), options);
      break;
    case "sas":
      service = new BlobServiceClient(`${url}?${p.auth.sas}`, undefined, options);
      break;
    case "organization":
      service = new BlobServiceClient(url, await organizationCredential(p.account, opts), options);
      break;
  }
  return new BlobStorage(service, p.container, p.prefix, p.account, p.auth.kind === "organization" ? opts.credentials?.clientId : undefined);
}

/**
 * The organization's Entra app (client credentials) as an Azure Storage credential: a
 * ClientSecretCredential for its tenant, client id and secret. The app needs the role
 * "Storage Blob Data Contributor" on the account or the container (a BlobStorage error says so).
 */
export async function organizationCredential(account: string, opts: OpenStorageOptions): Promise<import("@azure/identity").ClientSecretCredential> {
  const c = opts.credentials;
  if (!c || !c.tenantId || !c.clientId || !c.clientSecret) {
    throw Object.assign(
      new Error(`No credentials for the storage account '${account}': add ;AccountKey=… or a SAS to the target, or use an organization registered with client credentials (tenant, client id, secret).`),
      { name: "LakeStorageError", code: "AuthenticationFailed" },
    );
  }
  const { ClientSecretCredential } = await import("@azure/identity");
  return new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, opts.authorityHost ? { authorityHost: opts.authorityHost } : undefined);
}
