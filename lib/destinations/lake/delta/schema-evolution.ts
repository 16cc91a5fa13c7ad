// Schema evolution at reader 1 / writer 2. An added column is a new metaData alone: older files
// lack it and read it as null. A widened type is not: changing a column's type in place needs the
// typeWidening table feature (reader 3 / writer 7), which Synapse serverless cannot read. So a
// widened column rewrites the table in one commit — the new metaData, every live file removed and
// its rows added again in files written with the new types (dataChange false: the same rows) —
// and readers of any version see files that match that version's schema.
import type { TargetTableSpec } from "../../types";
import { lakeColumnFor, mergeColumns, type LakeColumn } from "../lake-columns";
import type { DeltaTable } from "./delta-table";
import { commitActions, DeltaConflictError } from "./log-commit";
import type { Action } from "./log";
import { fileView, writeFiles } from "./parquet-files";
import { schemaString, widenedType } from "./schema";

/** Adds the spec's new columns and widens the columns whose source type grew; at most one commit. */
export async function evolveSchema(t: DeltaTable, spec: TargetTableSpec): Promise<{ added: string[]; widened: string[] }> {
  const { columns, added } = mergeColumns(t.columns, spec);
  const source = new Map(spec.columns.map((c) => [c.name.toLowerCase(), lakeColumnFor(c)]));
  const widened: string[] = [];
  const next = columns.map((c) => {
    const s = source.get(c.name.toLowerCase());
    const w = s && !added.includes(c.name) ? widenedType(c, s) : null;
    if (w) widened.push(c.name);
    return w ?? c;
  });
  if (!added.length && !widened.length) return { added, widened };
  const metaData = { ...t.snapshot.metaData!, schemaString: schemaString(next) };
  if (!widened.length) {
    await commitActions(t, [{ metaData }], "ADD COLUMNS", { columns: JSON.stringify(added) });
    return { added, widened };
  }
  await rewriteWithSchema(t, next, metaData, { added, widened });
  return { added, widened };
}

async function rewriteWithSchema(t: DeltaTable, columns: LakeColumn[], metaData: NonNullable<DeltaTable["snapshot"]["metaData"]>, change: { added: string[]; widened: string[] }): Promise<void> {
  const live = await t.liveFiles();
  const actions: Action[] = [{ metaData }];
  if (live.length) {
    const db = await t.connection();
    // The view casts every column to its new type (added ones null).
    await fileView(t, db, "old", live, true, columns);
    const adds = await writeFiles(t, db, "SELECT * FROM old", false, columns);
    for (const f of live) {
      const a = t.snapshot.files.get(f.path)!;
      actions.push({ remove: { path: a.path, deletionTimestamp: Date.now(), dataChange: false, extendedFileMetadata: true, partitionValues: a.partitionValues, size: a.size } });
    }
    for (const a of adds) actions.push({ add: a });
  }
  try {
    await commitActions(t, actions, "CHANGE COLUMN", { widened: JSON.stringify(change.widened), added: JSON.stringify(change.added) });
  } catch (err) {
    if (!(err instanceof DeltaConflictError)) for (const a of actions) if ("add" in a) await t.files.remove(decodeURIComponent(a.add.path)).catch(() => undefined);
    throw err;
  }
}
