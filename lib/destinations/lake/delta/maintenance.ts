// Maintenance: compaction (small files of a partition merged, dataChange false) and vacuum
// (data files no version within the retention references deleted), each recorded by a txn whose
// version is its time (the upkeep schedule counts from it).
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { DeltaTable } from "./delta-table";
import { commitActions, DeltaConflictError } from "./log-commit";
import type { Action } from "./log";
import { fileView, liveLocal, writeFiles } from "./parquet-files";
import { PARTITION_COLUMN } from "./schema";
import { COMPACTION_APP, VACUUM_APP } from "./table-layout";

/** Merges each partition's files smaller than the target into one (dataChange false). Returns the new version or null. */
export async function compact(t: DeltaTable): Promise<number | null> {
  const byPartition = new Map<string, string[]>();
  for (const [p, a] of t.snapshot.files) {
    if (a.size >= t.opts.targetFileBytes) continue;
    const part = a.partitionValues[PARTITION_COLUMN] ?? "1";
    (byPartition.get(part) ?? byPartition.set(part, []).get(part)!).push(p);
  }
  const merge = [...byPartition.values()].filter((ps) => ps.length > 1).flat();
  const actions: Action[] = [];
  if (merge.length) {
    const db = await t.connection();
    const files = await liveLocal(t, merge);
    await fileView(t, db, "small", files);
    const adds = await writeFiles(t, db, `SELECT * FROM small ORDER BY ${PARTITION_COLUMN}, Id`, false);
    for (const p of merge) {
      const a = t.snapshot.files.get(p)!;
      actions.push({ remove: { path: a.path, deletionTimestamp: Date.now(), dataChange: false, extendedFileMetadata: true, partitionValues: a.partitionValues, size: a.size } });
    }
    for (const a of adds) actions.push({ add: a });
  }
  const before = merge.length;
  actions.push({ txn: { appId: COMPACTION_APP, version: Date.now(), lastUpdated: Date.now() } });
  try {
    return await commitActions(t, actions, "OPTIMIZE", { predicate: "[]", zOrderBy: "[]" }, { operationMetrics: { numRemovedFiles: String(before), numAddedFiles: String(actions.filter((a) => "add" in a).length) } });
  } catch (err) {
    if (!(err instanceof DeltaConflictError)) for (const a of actions) if ("add" in a) await t.files.remove(decodeURIComponent(a.add.path)).catch(() => undefined);
    throw err;
  }
}

/**
 * Deletes data files no version within the retention needs: removed files whose removal is
 * older than the retention, and files no version ever named (a crashed commit's) once older than
 * the retention (their name carries their creation time). Returns the files deleted.
 */
export async function vacuum(t: DeltaTable, now = Date.now()): Promise<number> {
  const keepAfter = now - t.opts.retentionHours * 3_600_000;
  let n = 0;
  for (const f of await t.files.list()) {
    if (f.path.startsWith("_")) continue; // _delta_log, _staging, _tmp
    if (t.snapshot.files.has(f.path)) continue;
    const tomb = t.snapshot.tombstones.get(f.path);
    const born = /(?:^|\/)part-(\d{13})-/.exec(f.path);
    const since = tomb?.deletionTimestamp ?? (born ? Number(born[1]) : null);
    if (since === null || since >= keepAfter) continue;
    await t.files.remove(f.path);
    n++;
  }
  await commitActions(t, [{ txn: { appId: VACUUM_APP, version: now, lastUpdated: now } }], "VACUUM END", { retentionCheckEnabled: true, specifiedRetentionMillis: t.opts.retentionHours * 3_600_000 }, { operationMetrics: { numDeletedFiles: String(n) } });
  // Local scratch folders a crash left behind.
  const tmp = path.join(await t.files.scratch(), "..");
  for (const d of fs.existsSync(tmp) ? await fsp.readdir(tmp) : []) {
    const t = Number(d.split("-")[0]);
    if (t && t < now - 3_600_000) await fsp.rm(path.join(tmp, d), { recursive: true, force: true });
  }
  return n;
}
