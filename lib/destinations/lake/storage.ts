// The few storage operations the lake writer needs, implemented once for a local folder
// (folder-storage.ts) and once for Azure Blob Storage (blob-storage.ts). Paths are relative to
// the lake's root, with "/" separators ("account/2024.csv").
//
// Files that grow (partition files) are written as a sequence of committed parts: `append` adds a
// part and `truncateParts` drops parts beyond a count, so a write that was never recorded in the
// lake's state can be undone on restart (folder: truncate; blob: re-commit a shorter block list).
// `stage` + `commitParts` split an append in two, so many pages can be staged and made durable
// in one commit (one block-list commit per file every few MB on Azure, one fsync in a folder).

export interface StoredFile {
  path: string;
  size: number;
}

export interface LakeStorage {
  /** What the lake is, without secrets ("lake:/data/x", "https://acc.blob.core.windows.net/c/p"). */
  readonly display: string;
  /** Full URL of a file, as model.json partitions name it. */
  locationOf(path: string): string;
  /** Whole file, or null when it does not exist. */
  read(path: string): Promise<Buffer | null>;
  /** The file in chunks (nothing when it does not exist): a scan never holds a whole partition. */
  chunks(path: string): AsyncIterable<Buffer>;
  /** Whole file and its version tag (for a conditional replace), or null. */
  readTagged(path: string): Promise<{ data: Buffer; etag: string } | null>;
  /** Replace (or create) the file atomically: readers see the old content or the new, never half. */
  write(path: string, data: Buffer | string): Promise<void>;
  /**
   * Atomic replace only if the file still has version `etag` (null: only if it does not exist).
   * Returns false when another writer changed it first.
   */
  writeIfMatch(path: string, data: Buffer | string, etag: string | null): Promise<boolean>;
  /** Add one part to the end of a growing file (creating it); durable when this resolves. */
  append(path: string, data: Buffer | string, partIndex: number): Promise<void>;
  /**
   * Add part `partIndex` without making it durable or visible yet (blob: a staged block; folder:
   * an append not synced). `commitParts` makes parts 0..parts-1 the file, durably. Staging a
   * part index again replaces what was staged under it (a page replayed after a crash).
   */
  stage(path: string, data: Buffer, partIndex: number): Promise<void>;
  commitParts(path: string, parts: number): Promise<void>;
  /** Drop every part after the first `parts` (`bytes` = their total size); no-op when already so. */
  truncateParts(path: string, parts: number, bytes: number): Promise<void>;
  /**
   * Replace a growing file atomically with `data` (folder: temporary file + rename; blob: staged
   * blocks + one commit); returns its part count.
   */
  replace(path: string, data: Buffer): Promise<number>;
  /** Parts and bytes of a growing file as stored, or null when it does not exist. */
  measure(path: string): Promise<{ parts: number; bytes: number } | null>;
  /** Bytes [offset, offset + count) of `from` as the whole new file `to` (streamed, atomic for readers). */
  copyRange(from: string, to: string, offset: number, count: number): Promise<void>;
  /** Server-side copy where the store has one. */
  copy(from: string, to: string): Promise<void>;
  /** Files under a folder prefix ("account/"), recursively. */
  list(prefix: string): Promise<StoredFile[]>;
  delete(path: string): Promise<void>;
  /** The file into a local path (the DuckDB reader needs local files). */
  download(path: string, localFile: string): Promise<void>;
  close(): Promise<void>;
}

/** A storage problem the user can fix (missing container, no permission, bad key…). */
export class LakeStorageError extends Error {
  constructor(
    message: string,
    readonly code: "ContainerNotFound" | "AuthorizationFailure" | "AuthenticationFailed" | "Unreachable" | "Other",
    readonly fix?: string,
  ) {
    super(message);
    this.name = "LakeStorageError";
  }
}
