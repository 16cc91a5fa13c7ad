// Commit: a version is written put-if-absent (link(2) in a folder, If-None-Match: * on Azure)
// after its data files, so a crash leaves no visible half-commit and a second writer of the same
// version loses cleanly; every `checkpointEvery` versions a Parquet checkpoint follows.
import fsp from "node:fs/promises";
import path from "node:path";
import type { DeltaTable } from "./delta-table";
import { cleanLog } from "./log-cleanup";
import { applyActions, checkpointActions, checkpointName, commitName, LOG_DIR, serializeCommit, type Action } from "./log";
import { quoteStr } from "./schema";
import { ENGINE, STAGING } from "./table-layout";

export class DeltaConflictError extends Error {
  readonly transient = true;
  constructor(readonly version: number, table: string) {
    super(`Delta table ${table}: another writer committed version ${version} first; this commit was abandoned (its data files removed) and will be retried.`);
    this.name = "DeltaConflictError";
  }
}

/**
 * Writes version `snapshot.version + 1` put-if-absent. On a conflict the files this commit
 * added are deleted and DeltaConflictError is thrown (the snapshot is re-read first).
 */
export async function commitActions(t: DeltaTable, actions: Action[], operation: string, parameters: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<number> {
  const version = t.snapshot.version + 1;
  const now = Date.now();
  const all: Action[] = [
    ...actions,
    { commitInfo: { timestamp: now, operation, operationParameters: parameters, isBlindAppend: false, engineInfo: ENGINE, ...extra } },
  ];
  const ok = await t.files.createExclusive(`${LOG_DIR}/${commitName(version)}`, serializeCommit(all));
  if (!ok) {
    for (const a of actions) if ("add" in a) await t.files.remove(decodeURIComponent(a.add.path)).catch(() => undefined);
    await afterConflict(t);
    throw new DeltaConflictError(version, t.table);
  }
  applyActions(t.snapshot, version, all);
  // The log clean-up follows a checkpoint, as in Delta's own writers (best effort: the commit stands).
  if (version > 0 && version % t.opts.checkpointEvery === 0) await writeCheckpoint(t).then(() => cleanLog(t)).catch(() => undefined);
  return version;
}

/** Another writer committed: read the log again and forget staged files it already applied (and removed). */
export async function afterConflict(t: DeltaTable): Promise<void> {
  t.snapshot = await t.replay();
  const present = new Set((await t.files.list(`${STAGING}/`)).map((f) => f.path));
  t.staged = t.staged.filter((s) => present.has(s.rel));
}

/** Whether a version after ours exists (another writer got in). */
export async function logAdvanced(t: DeltaTable): Promise<boolean> {
  return (await t.files.read(`${LOG_DIR}/${commitName(t.snapshot.version + 1)}`)) !== null;
}

/** `<v>.checkpoint.parquet` of the current snapshot (via DuckDB), then `_last_checkpoint`. */
export async function writeCheckpoint(t: DeltaTable): Promise<void> {
  const s = t.snapshot;
  const actions = checkpointActions(s, Date.now(), t.opts.retentionHours * 3_600_000);
  const dir = await t.files.scratch();
  try {
    const json = path.join(dir, "cp.json");
    await fsp.writeFile(json, actions.map((a) => JSON.stringify(a)).join("\n") + "\n");
    const out = path.join(dir, "cp.parquet");
    await (await t.connection()).run(
      `COPY (SELECT * FROM read_json(${quoteStr(json)}, format = 'newline_delimited', columns = {` +
        `txn: 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)', ` +
        `"add": 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR))', ` +
        `"remove": 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT)', ` +
        `metaData: 'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)', ` +
        `protocol: 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER)'})) TO ${quoteStr(out)} (FORMAT parquet)`,
    );
    const size = await t.files.size(out);
    await t.files.publish(out, `${LOG_DIR}/${checkpointName(s.version)}`);
    const adds = actions.filter((a) => "add" in a).length;
    await t.files.write(`${LOG_DIR}/_last_checkpoint`, JSON.stringify({ version: s.version, size: actions.length, sizeInBytes: size, numOfAddFiles: adds }));
  } finally {
    await t.files.dropScratch(dir);
  }
}
