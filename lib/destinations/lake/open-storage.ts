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
    case "organization": {
      const c = opts.credentials;
      if (!c) {
        throw Object.assign(
          new Error(`No credentials for the storage account '${p.account}': add ;AccountKey=… or a SAS to the target, or use an organization registered with client credentials (tenant, client id, secret).`),
          { name: "LakeStorageError", code: "AuthenticationFailed" },
        );
      }
      const { ClientSecretCredential } = await import("@azure/identity");
      service = new BlobServiceClient(url, new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret), options);
      break;
    }
  }
  return new BlobStorage(service, p.container, p.prefix, p.account);
}
