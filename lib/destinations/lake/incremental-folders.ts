// Incremental update folders, as Synapse Link writes them when "incremental update" is on: every
// interval a folder named yyyy-MM-ddTHH.mm.ssZ (dots: every reader expects them) at the root of
// the lake, holding only the tables that changed since the previous folder —
// <folder>/<table>/<file>.csv with exactly the rows appended since then — and its own model.json,
// written LAST (pipelines start when it appears). Changelog/changelog.info names the folder being
// written. Append-only is forced (as Synapse Link forces it): the rows since the last folder are
// then the bytes each live file grew by, copied as byte ranges (streamed, never a whole file in
// memory), and the books remember how far each file went.
//
// Crash safety: the folder's model.json is written before the books move their marks, so a
// crash in between writes those rows again into the next folder (readers keep the highest
// versionnumber per Id: the state is unchanged); a folder without model.json is never read.
import { cdmEntity, cdmManifest, cdmPartition, type CdmEntity } from "./model-json";
import { saveBook, type TableBook } from "./table-book";
import type { LakeStorage } from "./storage";

export const CHANGELOG = "Changelog/changelog.info";
export const INCREMENTAL_FOLDER = /^\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}Z$/;

/** "2026-12-01T10.05.00Z" */
export function folderStamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/:/g, ".");
}

/** Whether a folder is due: never written, or the newest is older than the interval. */
export function folderDue(books: TableBook[], minutes: number, now: Date): boolean {
  const last = books.map((b) => b.incremental?.lastAt).filter((x): x is string => Boolean(x)).sort().pop();
  return !last || now.getTime() - Date.parse(last) >= minutes * 60_000;
}

/**
 * Writes one incremental folder with the rows each table's files gained since the last one.
 * Returns the folder's name, or null when nothing changed.
 */
export async function writeIncrementalFolder(storage: LakeStorage, books: TableBook[], now = new Date()): Promise<string | null> {
  const changed = books
    .map((b) => {
      const marks = b.incremental?.marks ?? {};
      return { b, ranges: b.files.filter((f) => f.bytes > (marks[f.path] ?? 0)).map((f) => ({ f, from: marks[f.path] ?? 0 })) };
    })
    .filter((x) => x.ranges.length);
  if (!changed.length) return null;
  let name = folderStamp(now);
  // Two folders in one second (an interval of 0 and quick cycles): the next free second.
  for (let t = now.getTime(); (await storage.list(`${name}/`)).length; t += 1000) name = folderStamp(new Date(t + 1000));
  await storage.write(CHANGELOG, name);
  const entities: CdmEntity[] = [];
  for (const { b, ranges } of changed) {
    const partitions = [];
    for (const { f, from } of ranges) {
      const to = `${name}/${f.path}`;
      await storage.copyRange(f.path, to, from, f.bytes - from);
      partitions.push(cdmPartition(f.partition, storage.locationOf(to), now, f.columns));
    }
    entities.push(cdmEntity({
      name: b.table, columns: b.columns, partitions, granularity: b.granularity,
      initialSyncState: "Completed", initialSyncCompletedAt: b.initialSyncCompletedAt,
    }));
  }
  await storage.write(`${name}/model.json`, JSON.stringify(cdmManifest(entities), null, 1));
  for (const { b } of changed) {
    b.incremental = { lastAt: now.toISOString(), lastFolder: name, marks: Object.fromEntries(b.files.map((f) => [f.path, f.bytes])) };
    await saveBook(storage, b);
  }
  return name;
}

/** The complete incremental folders (those with a model.json), oldest first. */
export async function incrementalFolders(storage: LakeStorage): Promise<string[]> {
  const out = new Set<string>();
  for (const f of await storage.list("")) {
    const [top, rest] = [f.path.split("/")[0], f.path.slice(f.path.indexOf("/") + 1)];
    if (INCREMENTAL_FOLDER.test(top) && rest === "model.json") out.add(top);
  }
  return [...out].sort();
}
