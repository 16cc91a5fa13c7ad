// LakeStorage over Azure Blob Storage (@azure/storage-blob). The Blob API works on hierarchical-
// namespace (ADLS Gen2) accounts too, and it is the only API Azurite serves, so the DFS API is not
// used at all (a file must never be written through both).
//
// Growing files are block blobs whose committed blocks have predictable ids (part 0, 1, …):
// appending stages one block and commits the list with it; dropping parts re-commits a shorter
// list. Replacing a file is one Put Blob (or a block list commit): atomic for readers.
import fsp from "node:fs/promises";
import { RestError, type BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { LakeStorageError, type LakeStorage, type StoredFile } from "./storage";

const blockId = (i: number) => Buffer.from(`part-${String(i).padStart(8, "0")}`).toString("base64");
const ids = (n: number) => Array.from({ length: n }, (_, i) => blockId(i));
/** Largest block staged by a replacement (Azure allows 4000 MiB; smaller keeps memory steady). */
const BLOCK_BYTES = 32 * 1024 * 1024;

export class BlobStorage implements LakeStorage {
  readonly display: string;
  private readonly container: ContainerClient;

  constructor(
    service: BlobServiceClient,
    readonly containerName: string,
    private readonly prefix: string,
    /** The account's name as the user wrote it, for messages. */
    readonly account: string,
    /** The organization's app (client id) when it authenticates, for messages. */
    readonly appClientId?: string,
  ) {
    this.container = service.getContainerClient(containerName);
    const base = this.container.url.replace(/\?.*$/, "");
    this.display = prefix ? `${base}/${prefix}` : base;
  }

  private name(p: string): string {
    return this.prefix ? `${this.prefix}/${p}` : p;
  }

  private block(p: string) {
    return this.container.getBlockBlobClient(this.name(p));
  }

  locationOf(p: string): string {
    return this.container.getBlobClient(this.name(p)).url.replace(/\?.*$/, "");
  }

  async read(p: string): Promise<Buffer | null> {
    return (await this.readTagged(p))?.data ?? null;
  }

  async *chunks(p: string): AsyncIterable<Buffer> {
    let body: NodeJS.ReadableStream | undefined;
    try {
      body = (await this.block(p).download()).readableStreamBody;
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw this.explain(err);
    }
    if (!body) return;
    for await (const chunk of body) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
  }

  async readTagged(p: string): Promise<{ data: Buffer; etag: string } | null> {
    try {
      const client = this.block(p);
      const props = await client.getProperties();
      const data = await client.downloadToBuffer(0, undefined, { conditions: { ifMatch: props.etag } });
      return { data, etag: props.etag! };
    } catch (err) {
      if (isStatus(err, 404)) return null;
      throw this.explain(err);
    }
  }

  async write(p: string, data: Buffer | string): Promise<void> {
    const buf = typeof data === "string" ? Buffer.from(data) : data;
    await this.block(p).uploadData(buf, { blockSize: BLOCK_BYTES, maxSingleShotSize: BLOCK_BYTES }).catch((e) => {
      throw this.explain(e);
    });
  }

  async writeIfMatch(p: string, data: Buffer | string, etag: string | null): Promise<boolean> {
    const buf = typeof data === "string" ? Buffer.from(data) : data;
    try {
      await this.block(p).upload(buf, buf.length, { conditions: etag === null ? { ifNoneMatch: "*" } : { ifMatch: etag } });
      return true;
    } catch (err) {
      if (isStatus(err, 412) || isStatus(err, 409)) return false;
      throw this.explain(err);
    }
  }

  async append(p: string, data: Buffer | string, partIndex: number): Promise<void> {
    const buf = typeof data === "string" ? Buffer.from(data) : data;
    const client = this.block(p);
    try {
      await client.stageBlock(blockId(partIndex), buf, buf.length);
      await client.commitBlockList(ids(partIndex + 1));
    } catch (err) {
      throw this.explain(err);
    }
  }

  async stage(p: string, data: Buffer, partIndex: number): Promise<void> {
    try {
      await this.block(p).stageBlock(blockId(partIndex), data, data.length);
    } catch (err) {
      throw this.explain(err);
    }
  }

  async commitParts(p: string, parts: number): Promise<void> {
    try {
      // "Latest": a part staged since the last commit wins over the committed one of that id.
      await this.block(p).commitBlockList(ids(parts));
    } catch (err) {
      throw this.explain(err);
    }
  }

  async truncateParts(p: string, parts: number): Promise<void> {
    const client = this.block(p);
    try {
      const list = await client.getBlockList("committed");
      const have = list.committedBlocks?.length ?? 0;
      if (have > parts) await client.commitBlockList(ids(parts));
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw this.explain(err);
    }
  }

  async measure(p: string): Promise<{ parts: number; bytes: number } | null> {
    try {
      const list = await this.block(p).getBlockList("committed");
      const blocks = list.committedBlocks ?? [];
      return { parts: blocks.length, bytes: blocks.reduce((n, b) => n + b.size, 0) };
    } catch (err) {
      if (isStatus(err, 404)) return null;
      throw this.explain(err);
    }
  }

  /** Writes a replacement of a growing file as parts 0..n-1; returns n. */
  async replace(p: string, data: Buffer): Promise<number> {
    const client = this.block(p);
    const n = Math.max(1, Math.ceil(data.length / BLOCK_BYTES));
    try {
      for (let i = 0; i < n; i++) {
        const part = data.subarray(i * BLOCK_BYTES, Math.min(data.length, (i + 1) * BLOCK_BYTES));
        await client.stageBlock(blockId(i), part, part.length);
      }
      await client.commitBlockList(ids(n));
    } catch (err) {
      throw this.explain(err);
    }
    return n;
  }

  async copyRange(from: string, to: string, offset: number, count: number): Promise<void> {
    const source = this.block(from);
    const dest = this.block(to);
    const n = Math.max(1, Math.ceil(count / BLOCK_BYTES));
    try {
      // A block at a time through this process (bounded memory); committed once, so atomic.
      for (let i = 0; i < n; i++) {
        const start = i * BLOCK_BYTES;
        const len = Math.min(BLOCK_BYTES, count - start);
        const part = len > 0 ? await source.downloadToBuffer(offset + start, len) : Buffer.alloc(0);
        await dest.stageBlock(blockId(i), part, part.length);
      }
      await dest.commitBlockList(ids(n));
    } catch (err) {
      throw this.explain(err);
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const source = this.container.getBlobClient(this.name(from));
    const dest = this.container.getBlobClient(this.name(to));
    try {
      // Server-side: the bytes never pass through this process. `source.url` carries a SAS when
      // the lake is reached with one, which the copy needs to read the source.
      const poller = await dest.beginCopyFromURL(source.url);
      await poller.pollUntilDone();
    } catch (err) {
      throw this.explain(err);
    }
  }

  async list(prefix: string): Promise<StoredFile[]> {
    const out: StoredFile[] = [];
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    try {
      for await (const b of this.container.listBlobsFlat({ prefix: this.name(prefix) })) {
        out.push({ path: b.name.slice(strip), size: b.properties.contentLength ?? 0 });
      }
    } catch (err) {
      throw this.explain(err);
    }
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }

  async delete(p: string): Promise<void> {
    try {
      await this.container.getBlobClient(this.name(p)).deleteIfExists();
    } catch (err) {
      throw this.explain(err);
    }
  }

  async download(p: string, localFile: string): Promise<void> {
    try {
      await this.container.getBlobClient(this.name(p)).downloadToFile(localFile);
    } catch (err) {
      await fsp.rm(localFile, { force: true });
      throw this.explain(err);
    }
  }

  /** A local file uploaded as one blob (staged blocks + one commit), streamed from disk. */
  async uploadFile(p: string, localFile: string): Promise<void> {
    try {
      await this.block(p).uploadFile(localFile, { blockSize: 8 * 1024 * 1024, concurrency: 2 });
    } catch (err) {
      throw this.explain(err);
    }
  }

  async close(): Promise<void> {}

  /** Reaches the container, writes and deletes a probe blob; throws a LakeStorageError that names the fix. */
  async probe(): Promise<void> {
    try {
      if (!(await this.container.exists())) {
        throw new LakeStorageError(
          `The container '${this.containerName}' does not exist in the storage account '${this.account}'.`,
          "ContainerNotFound",
          `Create the container '${this.containerName}' (Storage account → Containers → + Container), or correct the name in the target.`,
        );
      }
      const probe = this.container.getBlockBlobClient(this.name(`.dataverse-export-probe-${Date.now()}`));
      await probe.upload("probe", 5);
      await probe.delete();
    } catch (err) {
      throw this.explain(err);
    }
  }

  /** A storage error in words a user can act on; anything unrecognized passes through unchanged. */
  explain(err: unknown): unknown {
    if (err instanceof LakeStorageError) return err;
    return explainStorageError(err, this.account, this.containerName, this.appClientId);
  }
}

export function isStatus(err: unknown, status: number): boolean {
  return err instanceof RestError && err.statusCode === status;
}

export const BLOB_DATA_ROLE = "Storage Blob Data Contributor";

export function explainStorageError(err: unknown, account: string, container: string, appClientId?: string): unknown {
  const e = err as RestError & { code?: string; details?: { errorCode?: string } };
  const code = e?.details?.errorCode ?? e?.code ?? "";
  // @azure/identity: the organization's app could not get a token (wrong secret, tenant or client id).
  const name = (err as Error)?.name;
  if (/^(AuthenticationError|AuthenticationRequiredError|CredentialUnavailableError|AggregateAuthenticationError)$/.test(name ?? "")) {
    const detail = ((err as Error).message ?? "").split("\n")[0].slice(0, 300);
    const app = `The organization's app registration${appClientId ? ` (client id ${appClientId})` : ""}`;
    // MSAL could not reach Entra ID at all: worth retrying, not a wrong secret.
    if (/network_error|endpoints_resolution_error|ENOTFOUND|ECONNREFUSED|ETIMEDOUT/.test(detail)) {
      return Object.assign(
        new LakeStorageError(`${app} could not reach Entra ID to sign in to Azure Storage for '${account}' (${detail})`, "Unreachable", "Check that this host reaches login.microsoftonline.com (proxy, firewall, DNS)."),
        { transient: true },
      );
    }
    return new LakeStorageError(
      `The organization's app registration${appClientId ? ` (client id ${appClientId})` : ""} could not sign in to Azure Storage for '${account}': ${detail}`,
      "AuthenticationFailed",
      "Check the organization's tenant id, client id and client secret (Organizations page), or put an AccountKey or SAS in the target.",
    );
  }
  // A token that works but no data role: Azure answers 403 AuthorizationPermissionMismatch.
  if (appClientId && (e?.statusCode === 403 || code === "AuthorizationPermissionMismatch")) {
    return new LakeStorageError(
      `The organization's app registration (client id ${appClientId}) lacks the role '${BLOB_DATA_ROLE}' on the container '${container}' of '${account}' (${code || "403"}).`,
      "AuthorizationFailure",
      `In the Azure portal: storage account '${account}' → Access control (IAM) → Add role assignment → '${BLOB_DATA_ROLE}' → the app registration ${appClientId}. Role assignments can take a few minutes to apply.`,
    );
  }
  if (code === "ContainerNotFound") {
    return new LakeStorageError(`The container '${container}' does not exist in the storage account '${account}'.`, "ContainerNotFound", `Create the container '${container}', or correct the name in the target.`);
  }
  // Azure says AuthenticationFailed for a wrong key or SAS signature; Azurite says AuthorizationFailure
  // with Azure's "Server failed to authenticate the request" message.
  const badCredentials = code === "AuthenticationFailed" || code === "InvalidAuthenticationInfo" || e?.statusCode === 401 || /failed to authenticate/i.test(e?.message ?? "");
  if (badCredentials) {
    return new LakeStorageError(
      `The storage account '${account}' refused the credentials (${code || "401"}): the account key, SAS or client secret is wrong or expired.`,
      "AuthenticationFailed",
      "Copy the key or connection string again from the storage account's Access keys page, or issue a new SAS with read, write, delete, list and create permissions.",
    );
  }
  if (e?.statusCode === 403) {
    return new LakeStorageError(
      `The storage account '${account}' denied access to the container '${container}' (${code || "403"}).`,
      "AuthorizationFailure",
      "Grant the app registration (or the SAS) the role 'Storage Blob Data Contributor' on the storage account or the container, and check the account's firewall allows this host.",
    );
  }
  const sys = (err as NodeJS.ErrnoException)?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  if (sys === "ENOTFOUND" || sys === "ECONNREFUSED" || sys === "EAI_AGAIN" || sys === "ETIMEDOUT" || code === "REQUEST_SEND_ERROR") {
    return Object.assign(new LakeStorageError(`Cannot reach the storage account '${account}' (${sys || code}).`, "Unreachable", "Check the account name and the network path to *.blob.core.windows.net."), { transient: true });
  }
  return err;
}
