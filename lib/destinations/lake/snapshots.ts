// Snapshots and the root model.json. For a table that changed and whose last snapshot is older
// than the interval: copy its live files into <table>/Snapshot/<file>_<time>.csv (server-side on
// Azure), record them, then replace model.json (ETag-conditional) so it names the newest snapshot.
// Snapshots beyond the last K are deleted unless model.json still names them. A snapshot file is
// never written again, so a reader of an older one is never disturbed.
import { cdmEntity, cdmManifest, cdmPartition, type CdmEntity, type CdmManifest, type InitialSyncState } from "./model-json";
import { saveBook, type SnapshotGeneration, type TableBook } from "./table-book";
import type { LakeStorage } from "./storage";

export const MODEL_JSON = "model.json";

/** "2024-05-21T08.07.17.123Z": sortable, and dots instead of colons as every lake reader expects. */
export function snapshotStamp(d: Date): string {
  return d.toISOString().replace(/:/g, ".");
}

export async function takeSnapshot(storage: LakeStorage, book: TableBook, now = new Date()): Promise<SnapshotGeneration> {
  let at = snapshotStamp(now);
  if (book.snapshots.some((s) => s.at === at)) at = `${at}-${book.snapshots.length}`;
  const files: SnapshotGeneration["files"] = book.files.map((f) => ({
    partition: f.partition,
    path: `${book.table}/Snapshot/${f.path.slice(book.table.length + 1).replace(/\.csv$/, "")}_${at}.csv`,
    columns: f.columns,
  }));
  await Promise.all(book.files.map((f, i) => storage.copy(f.path, files[i].path)));
  const gen: SnapshotGeneration = { at, takenAt: now.toISOString(), files };
  book.snapshots.push(gen);
  book.changedSinceSnapshot = false;
  await saveBook(storage, book);
  return gen;
}

export function syncState(engineState: string, book: TableBook): InitialSyncState {
  if (book.initialSyncCompletedAt || engineState === "Completed" || engineState === "CompletedWithFailures") return "Completed";
  return book.files.length || engineState === "InProgress" ? "InProgress" : "NotStarted";
}

/** The table's model.json entity: partitions are the newest snapshot's files, else the live files. */
export function entityFor(storage: LakeStorage, book: TableBook, state: InitialSyncState): CdmEntity {
  const snap = book.snapshots[book.snapshots.length - 1];
  const partitions = snap
    ? snap.files.map((f) => cdmPartition(f.partition, storage.locationOf(f.path), new Date(snap.takenAt), f.columns))
    : book.files.map((f) => cdmPartition(f.partition, storage.locationOf(f.path), new Date(book.changedAt ?? Date.now()), f.columns));
  return cdmEntity({
    name: book.table, columns: book.columns, partitions, granularity: book.granularity,
    initialSyncState: state, initialSyncCompletedAt: book.initialSyncCompletedAt,
  });
}

/** Replaces model.json with these entities (others it names are kept), retrying on a lost race. */
export async function publishModel(storage: LakeStorage, entities: CdmEntity[]): Promise<CdmManifest> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await storage.readTagged(MODEL_JSON);
    const existing = current ? ((JSON.parse(current.data.toString("utf8")) as CdmManifest).entities ?? []) : [];
    const mine = new Set(entities.map((e) => e.name));
    const next = cdmManifest([...existing.filter((e) => !mine.has(e.name)), ...entities]);
    if (await storage.writeIfMatch(MODEL_JSON, JSON.stringify(next, null, 1), current?.etag ?? null)) return next;
  }
  throw new Error("model.json kept changing while it was being replaced: is another export writing to this lake?");
}

/** Every file a model.json names (locations). */
export async function namedLocations(storage: LakeStorage): Promise<Set<string>> {
  const raw = await storage.read(MODEL_JSON);
  const out = new Set<string>();
  if (!raw) return out;
  for (const e of (JSON.parse(raw.toString("utf8")) as CdmManifest).entities ?? []) for (const p of e.partitions ?? []) out.add(p.location);
  return out;
}

/** Deletes snapshot generations beyond the newest `keep`, except any model.json still names. */
export async function applyRetention(storage: LakeStorage, book: TableBook, keep: number): Promise<number> {
  if (book.snapshots.length <= keep) return 0;
  const named = await namedLocations(storage);
  const old = book.snapshots.slice(0, book.snapshots.length - keep);
  const dropped = old.filter((g) => !g.files.some((f) => named.has(storage.locationOf(f.path))));
  if (!dropped.length) return 0;
  // The book forgets them first: a crash in between leaves files nobody names, never a name without a file.
  book.snapshots = book.snapshots.filter((g) => !dropped.includes(g));
  await saveBook(storage, book);
  for (const g of dropped) for (const f of g.files) await storage.delete(f.path);
  return dropped.length;
}
