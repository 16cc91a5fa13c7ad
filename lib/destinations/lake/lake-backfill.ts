// The lake side of two engine operations that work on rows already in the target: the re-export
// sweep (delete every row a re-export did not see) and the backfill of added columns. The seen
// ids of a re-export are kept in the lake (Microsoft.Athena.TrickleFeedService/<table>-seen.txt),
// so a restarted re-export keeps what it saw.
import type { SourceRecord, TargetTableSpec } from "../types";
import { latestById } from "../row-values";
import { csvLine, parseCsv } from "./csv";
import type { LakeTable, Rewrite } from "./lake-table";
import { versionLess } from "./record-scan";
import { BOOK_FOLDER } from "./table-book";
import type { LakeStorage } from "./storage";
import { sinkTime } from "./lake-columns";

export const seenPath = (table: string) => `${BOOK_FOLDER}/${table}-seen.txt`;

export async function beginSweep(storage: LakeStorage, table: string): Promise<void> {
  await storage.delete(seenPath(table));
}

export async function markSeen(storage: LakeStorage, table: string, ids: string[]): Promise<void> {
  const unique = [...new Set(ids.map((i) => i.toLowerCase()))];
  if (!unique.length) return;
  const path = seenPath(table);
  const parts = (await storage.measure(path))?.parts ?? 0;
  // Each part starts on a new line: a part torn by a crash cannot glue two ids together.
  await storage.append(path, `\n${unique.join("\n")}\n`, parts);
}

async function seenIds(storage: LakeStorage, table: string): Promise<Set<string>> {
  const raw = (await storage.read(seenPath(table)))?.toString("utf8") ?? "";
  return new Set(raw.split("\n").map((l) => l.trim()).filter(Boolean));
}

/** Ids live in the lake but not seen by the re-export (deleted at the source meanwhile). */
export async function unseenIds(storage: LakeStorage, t: LakeTable): Promise<string[]> {
  const seen = await seenIds(storage, t.book.table);
  const out: string[] = [];
  for (const [id, row] of await t.latestRows()) if (!row.deleted && !seen.has(id)) out.push(id);
  return out;
}

/**
 * Sets only `columns` of rows already in the lake, when the record's version is not older; the
 * row keeps its other values and its versionnumber. Append-only appends the updated row (it wins
 * over the older one by SinkModifiedOn and file order); in place rewrites its partition.
 */
export async function updateColumns(t: LakeTable, spec: TargetTableSpec, columns: string[], records: SourceRecord[]): Promise<number> {
  const recs = latestById(records);
  const ids = new Set(recs.map((r) => r.id.toLowerCase()));
  const current = await t.latestRows(ids);
  const w = t.rowWriter(spec);
  const width = t.book.columns.length;
  const at = columns.map((c) => t.col(c)).filter((i) => i >= 0);
  const versionAt = t.col("versionnumber");
  const sink = sinkTime(new Date());
  const appends = new Map<string, string[]>();
  const rewrites = new Map<string, Rewrite>();
  let n = 0;
  for (const r of recs) {
    const id = r.id.toLowerCase();
    const row = current.get(id);
    if (!row || row.deleted || versionLess(r.version, row.version)) continue;
    const fields: unknown[] = parseCsv(row.text)[0] ?? [];
    while (fields.length < width) fields.push(null);
    w.kinds.forEach((k, i) => {
      if (k === "bool" && fields[i] !== null) fields[i] = fields[i] === "True";
    });
    const fresh = w.values(r, sink);
    for (const i of at) fields[i] = fresh[i];
    fields[2] = sink;
    fields[versionAt] = row.version;
    n++;
    if (t.book.mode === "appendOnly") (appends.get(row.partition) ?? appends.set(row.partition, []).get(row.partition)!).push(csvLine(fields, w.kinds));
    else (rewrites.get(row.partition) ?? rewrites.set(row.partition, { upserts: new Map(), deletes: new Set(), extra: [] }).get(row.partition)!).upserts.set(id, fields);
  }
  if (!n) return 0;
  await t.rewrite(rewrites, w);
  await t.appendLines(appends);
  await t.commit(true);
  return n;
}
