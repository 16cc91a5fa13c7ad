// The lake's own record of one table, kept IN the lake (so a restarted or moved worker continues
// from it): Microsoft.Athena.TrickleFeedService/<table>-model.json, a model.json with the table's
// live files as partitions plus a "dataverse-export" section. Writing this file is the commit
// point of every write: a part appended but not yet recorded here is dropped on the next open.
import crypto from "node:crypto";
import { cdmEntity, cdmManifest, cdmPartition, type CdmManifest, type Granularity } from "./model-json";
import type { LakeColumn } from "./lake-columns";
import type { LakeStorage } from "./storage";

export type LakeMode = "appendOnly" | "inPlace";

export interface LiveFile {
  path: string;
  partition: string;
  /** Width of every row in the file (a schema change starts a new file). */
  columns: number;
  parts: number;
  bytes: number;
}

export interface SnapshotGeneration {
  /** Timestamp used in the file names (yyyyMMddTHHmmssZ). */
  at: string;
  takenAt: string;
  files: { partition: string; path: string; columns: number }[];
}

export interface TableBook {
  formatVersion: 1;
  table: string;
  mode: LakeMode;
  granularity: Granularity;
  columns: LakeColumn[];
  files: LiveFile[];
  /** Files an in-place rewrite was replacing when it last committed (content may be newer). */
  rewriting: string[];
  /** Highest versionnumber written: a delete row takes the next one so it wins over the record. */
  maxVersion: string | null;
  /**
   * Hashes of the upsert ("u:") and delete ("d:") batches of the last commit: a page replayed
   * because its checkpoint was lost in a crash is recognised and not written twice.
   */
  recentBatches?: string[];
  /** Written by earlier versions (one hash each); read into recentBatches. */
  lastUpsert?: string | null;
  lastDelete?: string | null;
  /** Last data change, and whether it came after the newest snapshot. */
  changedAt: string | null;
  changedSinceSnapshot: boolean;
  snapshots: SnapshotGeneration[];
  initialSyncCompletedAt: string | null;
  rowsWritten: number;
  bytesWritten: number;
  filesWritten: number;
  /** Incremental update folders: the last one written, and how many bytes of each live file it reached. */
  incremental?: { lastAt?: string; lastFolder: string | null; marks: Record<string, number> };
  /** Next suffix for a partition's additional file (<partition>_<seq>.csv). */
  seq: number;
}

export const BOOK_FOLDER = "Microsoft.Athena.TrickleFeedService";
export const bookPath = (table: string) => `${BOOK_FOLDER}/${table}-model.json`;
export const entityMetadataPath = (table: string) => `${BOOK_FOLDER}/${table}-EntityMetadata.json`;

export function newBook(table: string, mode: LakeMode, granularity: Granularity, columns: LakeColumn[]): TableBook {
  return {
    formatVersion: 1, table, mode, granularity, columns, files: [], rewriting: [], maxVersion: null,
    recentBatches: [], changedAt: null, changedSinceSnapshot: false, snapshots: [],
    initialSyncCompletedAt: null, rowsWritten: 0, bytesWritten: 0, filesWritten: 0, seq: 1,
  };
}

type BookFile = CdmManifest & { "dataverse-export": TableBook };

export async function loadBook(storage: LakeStorage, table: string): Promise<TableBook | null> {
  const raw = await storage.read(bookPath(table));
  if (!raw) return null;
  const parsed = JSON.parse(raw.toString("utf8")) as BookFile;
  return parsed["dataverse-export"];
}

/** The table's live model: a CDM manifest naming the live files, plus the book. */
export function bookFile(storage: LakeStorage, book: TableBook, now = new Date()): BookFile {
  const entity = cdmEntity({
    name: book.table,
    columns: book.columns,
    partitions: book.files.map((f) => cdmPartition(f.partition, storage.locationOf(f.path), now, f.columns)),
    granularity: book.granularity,
    initialSyncState: book.initialSyncCompletedAt ? "Completed" : book.files.length ? "InProgress" : "NotStarted",
    initialSyncCompletedAt: book.initialSyncCompletedAt,
  });
  return { ...cdmManifest([entity]), "dataverse-export": book };
}

export async function saveBook(storage: LakeStorage, book: TableBook): Promise<void> {
  await storage.write(bookPath(book.table), JSON.stringify(bookFile(storage, book), null, 1));
}

/**
 * Makes the stored files agree with the book: parts appended after the last commit are dropped,
 * files a rewrite was replacing are measured as they are, and files the book does not name
 * (a new file whose commit never happened, the old file of a finished rewrite) are deleted.
 * Returns true when the book changed.
 */
export async function repairTable(storage: LakeStorage, book: TableBook): Promise<boolean> {
  let changed = false;
  const rewriting = new Set(book.rewriting);
  await Promise.all(
    book.files.map(async (f) => {
      if (rewriting.has(f.path)) {
        const m = await storage.measure(f.path);
        if (m) Object.assign(f, m);
        changed = true;
      } else {
        await storage.truncateParts(f.path, f.parts, f.bytes);
      }
    }),
  );
  if (book.rewriting.length) {
    book.rewriting = [];
    changed = true;
  }
  const named = new Set(book.files.map((f) => f.path));
  for (const s of await storage.list(`${book.table}/`)) {
    if (s.path.startsWith(`${book.table}/Snapshot/`) || named.has(s.path)) continue;
    if (!s.path.endsWith(".csv")) continue;
    await storage.delete(s.path);
  }
  return changed;
}

export function batchHash(parts: Iterable<string>): string {
  // One update of the joined text (the same digest as one per part): a call per part cost more
  // than the hashing, on every page.
  let text = "";
  for (const p of parts) text += `${p}\n`;
  return crypto.createHash("sha1").update(text).digest("hex");
}
