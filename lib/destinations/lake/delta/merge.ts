// Merge (copy-on-write): the cycle's staged changes become one Delta commit holding the latest
// state per Id. The data files holding a changed Id are rewritten without the old rows, plus the
// new ones (a delete keeps the row with IsDelete = true, as Synapse Link's Delta tables do), one
// Parquet file per PartitionId. The commit's txn (STAGING_APP) records the last staged sequence
// it consumed. Also the backfill of added columns (patchColumns), the same way.
import fsp from "node:fs/promises";
import path from "node:path";
import type { SourceRecord, TargetTableSpec } from "../../types";
import type { DeltaTable } from "./delta-table";
import { afterConflict, commitActions, DeltaConflictError, logAdvanced } from "./log-commit";
import type { RemoveAction } from "./log";
import { adoptFiles, fileView, liveLocal, typedColumns, typedValue, writeFiles } from "./parquet-files";
import { duckType, PARTITION_COLUMN, quoteId, quoteStr } from "./schema";
import { stagedParquetRows, stagedRunRows } from "./staged-parquet";
import { stagedIds, stagedUpsertRows } from "./staged-read";
import { idsUnique } from "./id-hashes";
import { removeStaged, rowsOf, type Staged } from "./staging";
import { STAGING_APP } from "./table-layout";

function maxVersionInStats(t: DeltaTable): number {
  let max = 0;
  for (const a of t.snapshot.files.values()) {
    if (!a.stats) continue;
    const v = Number((JSON.parse(a.stats) as { maxValues?: Record<string, unknown> }).maxValues?.versionnumber ?? 0);
    if (v > max) max = v;
  }
  return max;
}

/**
 * Applies every staged change as one Delta commit; returns the new version, or null when
 * nothing was staged. Throws DeltaConflictError when another writer took the version.
 */
export async function commitStaged(t: DeltaTable): Promise<number | null> {
  if (!t.staged.length) return null;
  try {
    return await applyStaged(t);
  } catch (err) {
    // A file vanished under us (another writer applied and removed it): that is a lost race.
    if (!(err instanceof DeltaConflictError) && (await logAdvanced(t).catch(() => false))) {
      const version = t.snapshot.version + 1;
      await afterConflict(t);
      throw new DeltaConflictError(version, t.table);
    }
    throw err;
  }
}

async function applyStaged(t: DeltaTable): Promise<number> {
  // A conversion running now would change `staged` under us; the one that finishes has done its part.
  await t.settled();
  const db = await t.connection();
  const staged = [...t.staged];
  const columns = t.columns;
  // Memory stays bounded whatever the cycle's size: only (Id, last sequence, operation) is
  // materialised; the rows stream from the staged files through hash joins into COPY (DuckDB
  // spills to its temporary folder when a join does not fit).
  // One entry per staged file: pages, an earlier version's converted files, and each file of a converted run (with the run's sequence).
  const files: { local: string; seq: number; op: "U" | "D"; kind: Staged["kind"]; rel: string; partition: string; schema?: string; stats?: string }[] = [];
  for (const s of staged) {
    const op = s.kind === "d" ? "D" : "U";
    if (s.kind !== "r") files.push({ local: await t.files.localOf(s.rel), seq: s.seq, op, kind: s.kind, rel: s.rel, partition: "" });
    else for (const f of s.files!) files.push({ local: await t.files.localOf(f.rel), seq: s.seq, op, kind: "r", rel: f.rel, partition: f.partition, schema: s.schema, stats: f.stats });
  }
  const pages = files.filter((f) => f.kind === "u" || f.kind === "d").map((f) => f.local);
  const converted = files.filter((f) => f.kind === "p").map((f) => f.local);
  const runs = files.filter((f) => f.kind === "r");
  const parquetIds = [...converted, ...runs.map((f) => f.local)];
  // Staged pages typed by the current schema: pages staged before an added column read it as null.
  const idSources = [
    ...(pages.length ? [await stagedIds(pages, columns)] : []),
    ...(parquetIds.length ? [`SELECT Id, CAST(versionnumber AS BIGINT) AS versionnumber, filename FROM read_parquet([${parquetIds.map(quoteStr).join(", ")}], filename = true, union_by_name = true)`] : []),
  ];
  // The initial export (no live file, no delete staged) needs no per-Id table when every Id is
  // staged once — the per-Id table of a 1,000,000-row export held ~170 MB of DuckDB's memory
  // through the whole COPY. What this process staged carries its Ids' hashes (id-hashes.ts);
  // otherwise (pages staged before a restart) a distinct count in DuckDB tells. It counts
  // 64-bit hashes of the Ids, not the Ids (36-character strings: its hash table was ~120 MB of
  // the export's peak RSS at 1,000,000 rows): two Ids sharing a hash only count as one, which
  // takes the exact path below — never the other way round.
  let initial = false;
  let counts: Record<string, unknown> = {};
  if (!t.snapshot.files.size && !files.some((f) => f.op === "D") && idsUnique(staged)) {
    // Every change staged by this process with its Id hashes, none repeated: no count needed.
    const n = staged.reduce((sum, s) => sum + s.rows, 0);
    initial = n > 0;
    counts = { u: n, d: 0, v: 0, n: 1 };
  } else if (!t.snapshot.files.size && !files.some((f) => f.op === "D")) {
    const [c] = await db.all(`SELECT count(*)::BIGINT AS n, count(DISTINCT hash(Id))::BIGINT AS ids FROM (${idSources.join(" UNION ALL ")})`);
    initial = Number(c.n) > 0 && Number(c.n) === Number(c.ids);
    counts = { u: c.n, d: 0, v: 0, n: 1 };
  }
  if (!initial) {
    await db.run(`CREATE OR REPLACE TEMP TABLE sf AS SELECT * FROM (VALUES ${files.map((f) => `(${quoteStr(f.local)}, ${f.seq}::BIGINT, '${f.op}')`).join(", ")}) t(filename, seq, op)`);
    await db.run(
      `CREATE OR REPLACE TEMP TABLE keys AS SELECT x.Id, max(sf.seq) AS seq, arg_max(sf.op, sf.seq) AS op, max(x.versionnumber) AS v, count(*) AS n ` +
        `FROM (${idSources.join(" UNION ALL ")}) x JOIN sf ON sf.filename = x.filename GROUP BY x.Id`,
    );
    [counts] = await db.all(
      `SELECT count(*) FILTER (WHERE op = 'U')::BIGINT AS u, count(*) FILTER (WHERE op = 'D')::BIGINT AS d, coalesce(max(v), 0)::BIGINT AS v, coalesce(max(n), 0)::BIGINT AS n FROM keys`,
    );
  }
  const cols = columns.map((c) => quoteId(c.name));
  const upPages = files.filter((f) => f.kind === "u").map((f) => f.local);
  // The initial export takes converted runs written in the current schema as data files as they
  // are (every Id once, nothing to replace): the commit writes only the rest.
  const adopt = initial && runs.length > 0 && runs.every((f) => f.schema === t.snapshot.metaData?.schemaString) ? runs : [];
  const rowSources = [
    ...(upPages.length ? [await stagedUpsertRows(upPages, columns)] : []),
    ...(converted.length ? [await stagedParquetRows(db, converted, t)] : []),
    ...(runs.length && !adopt.length ? [await stagedRunRows(db, runs, t)] : []),
  ];
  const upRows = `(${rowSources.join(" UNION ALL ")})`;
  let chg = `SELECT ${[...columns.map((c) => `CAST(NULL AS ${duckType(c)}) AS ${quoteId(c.name)}`), `CAST(NULL AS VARCHAR) AS ${PARTITION_COLUMN}`].join(", ")} WHERE false`;
  if (rowSources.length && initial) {
    // Every Id once, nothing to replace: the staged rows as they are, no join.
    chg = `SELECT ${[...cols, PARTITION_COLUMN].join(", ")} FROM ${upRows} u`;
  } else if (rowSources.length) {
    chg = `SELECT ${[...cols.map((c) => `u.${c}`), `u.${PARTITION_COLUMN}`].join(", ")} FROM ${upRows} u ` +
      `JOIN sf ON sf.filename = u.filename JOIN keys k ON k.Id = u.Id AND k.seq = sf.seq`;
  }
  await db.run(`CREATE OR REPLACE TEMP VIEW chg AS ${chg}`);
  const upserts = Number(counts.u);
  const deletes = Number(counts.d);

  // The live files holding a changed Id (all of their rows are rewritten).
  const live = [...t.snapshot.files.keys()];
  let hits: { path: string; local: string; partition: string }[] = [];
  if (live.length) {
    const allLive = await liveLocal(t, live);
    const list = `[${allLive.map((f) => quoteStr(f.local)).join(", ")}]`;
    const found = new Set((await db.all(`SELECT DISTINCT f.filename FROM read_parquet(${list}, filename = true, union_by_name = true) f SEMI JOIN keys k ON f.Id = k.Id`)).map((r) => String(r.filename)));
    hits = allLive.filter((f) => found.has(f.local));
  }
  await fileView(t, db, "old", hits);
  const deleteVersion = Math.max(Number(counts.v), maxVersionInStats(t)) + 1;
  const now = new Date().toISOString();
  const oCols = [...cols.map((c) => `o.${c}`), `o.${PARTITION_COLUMN}`].join(", ");
  const cCols = [...cols.map((c) => `c.${c}`), `c.${PARTITION_COLUMN}`].join(", ");
  const applies = `(o.Id IS NULL OR coalesce(o.IsDelete, false) OR o.versionnumber IS NULL OR c.versionnumber IS NULL OR c.versionnumber >= o.versionnumber)`;
  const delCols = [
    ...columns.map((c) =>
      c.name === "IsDelete" ? `true AS "IsDelete"` : c.name === "SinkModifiedOn" ? `TIMESTAMPTZ ${quoteStr(now)} AS "SinkModifiedOn"` : c.name === "versionnumber" ? `${deleteVersion}::BIGINT AS versionnumber` : `o.${quoteId(c.name)}`,
    ),
    `o.${PARTITION_COLUMN}`,
  ].join(", ");
  const result = hits.length
    ? `SELECT ${oCols} FROM old o ANTI JOIN keys k ON o.Id = k.Id ` +
      `UNION ALL SELECT ${cCols} FROM chg c LEFT JOIN old o ON o.Id = c.Id WHERE ${applies} ` +
      `UNION ALL SELECT ${oCols} FROM old o JOIN chg c ON o.Id = c.Id WHERE NOT ${applies} ` +
      `UNION ALL SELECT ${delCols} FROM old o JOIN keys k ON o.Id = k.Id WHERE k.op = 'D' AND NOT coalesce(o.IsDelete, false) ` +
      `UNION ALL SELECT ${oCols} FROM old o JOIN keys k ON o.Id = k.Id WHERE k.op = 'D' AND coalesce(o.IsDelete, false)`
    : `SELECT ${cCols} FROM chg c`;
  const adds = adopt.length ? await adoptFiles(t, db, adopt) : [];
  try {
    if ((upserts > 0 && rowSources.length > 0) || hits.length > 0) adds.push(...(await writeFiles(t, db, result, true)));
  } catch (err) {
    for (const a of adds) await t.files.remove(decodeURIComponent(a.path)).catch(() => undefined);
    throw err;
  }
  const removes: RemoveAction[] = hits.map((h) => {
    const a = t.snapshot.files.get(h.path)!;
    return { path: a.path, deletionTimestamp: Date.now(), dataChange: true, extendedFileMetadata: true, partitionValues: a.partitionValues, size: a.size };
  });
  const lastSeq = staged.at(-1)!.seq;
  await db.run("DROP VIEW IF EXISTS chg; DROP TABLE IF EXISTS keys; DROP TABLE IF EXISTS sf");
  let version: number;
  try {
    version = await commitActions(t, 
      [...removes.map((r) => ({ remove: r })), ...adds.map((a) => ({ add: a })), { txn: { appId: STAGING_APP, version: lastSeq, lastUpdated: Date.now() } }],
      "MERGE",
      { predicate: "Id", matchedPredicates: JSON.stringify([{ actionType: "update" }, { actionType: "delete (IsDelete = true)" }]) },
      { operationMetrics: { numTargetRowsUpserted: String(upserts), numTargetRowsDeleted: String(deletes), numTargetFilesAdded: String(adds.length), numTargetFilesRemoved: String(removes.length) } },
    );
  } catch (err) {
    if (!(err instanceof DeltaConflictError)) for (const a of adds) await t.files.remove(decodeURIComponent(a.path)).catch(() => undefined);
    throw err;
  }
  t.staged = t.staged.filter((s) => s.seq > lastSeq);
  for (const s of staged) await removeStaged(t, s);
  return version;
}

/**
 * Backfill of added columns: sets only `names` of live rows whose version is not newer than
 * the record's, as one Delta commit (copy-on-write of the files holding them). Returns rows set.
 */
export async function patchColumns(t: DeltaTable, spec: TargetTableSpec, names: string[], records: SourceRecord[]): Promise<number> {
  const columns = t.columns;
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const targets = columns.filter((c) => wanted.has(c.name.toLowerCase()));
  if (!targets.length || !t.snapshot.files.size) return 0;
  const rows = rowsOf(t, spec, records).map((o) => {
    const p: Record<string, unknown> = { Id: o.Id, versionnumber: o.versionnumber };
    for (const c of targets) p[c.name] = o[c.name] ?? null;
    return p;
  });
  const db = await t.connection();
  const dir = await t.files.scratch();
  try {
    const file = path.join(dir, "patch.json");
    await fsp.writeFile(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const patchColumnsOf = columns.filter((c) => c.name === "Id" || c.name === "versionnumber" || targets.includes(c));
    const typed = typedColumns(patchColumnsOf);
    const read = patchColumnsOf.map((c) => `${typedValue(c, quoteId(c.name))} AS ${quoteId(c.name)}`).join(", ");
    await db.run(`CREATE OR REPLACE TEMP TABLE patch AS SELECT ${read} FROM read_json(${quoteStr(file)}, format = 'newline_delimited', columns = {${typed}})`);
  } finally {
    await t.files.dropScratch(dir);
  }
  const all = await t.liveFiles();
  const list = `[${all.map((f) => quoteStr(f.local)).join(", ")}]`;
  const found = new Set((await db.all(`SELECT DISTINCT filename FROM read_parquet(${list}, filename = true, union_by_name = true) WHERE Id IN (SELECT Id FROM patch)`)).map((r) => String(r.filename)));
  const hits = all.filter((f) => found.has(f.local));
  await fileView(t, db, "old", hits);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE matched AS SELECT p.* FROM old o JOIN patch p ON o.Id = p.Id ` +
      `WHERE NOT coalesce(o.IsDelete, false) AND (p.versionnumber IS NULL OR o.versionnumber IS NULL OR p.versionnumber >= o.versionnumber)`,
  );
  const n = Number((await db.all(`SELECT count(*)::BIGINT n FROM matched`))[0].n);
  if (!n) return 0;
  const now = new Date().toISOString();
  const select = [
    ...columns.map((c) =>
      targets.includes(c)
        ? `CASE WHEN m.Id IS NULL THEN o.${quoteId(c.name)} ELSE m.${quoteId(c.name)} END AS ${quoteId(c.name)}`
        : c.name === "SinkModifiedOn"
          ? `CASE WHEN m.Id IS NULL THEN o."SinkModifiedOn" ELSE TIMESTAMPTZ ${quoteStr(now)} END AS "SinkModifiedOn"`
          : `o.${quoteId(c.name)}`,
    ),
    `o.${PARTITION_COLUMN}`,
  ].join(", ");
  const adds = await writeFiles(t, db, `SELECT ${select} FROM old o LEFT JOIN matched m ON o.Id = m.Id ORDER BY o.${PARTITION_COLUMN}, o.Id`, true);
  const removes = hits.map((h) => {
    const a = t.snapshot.files.get(h.path)!;
    return { remove: { path: a.path, deletionTimestamp: Date.now(), dataChange: true, extendedFileMetadata: true, partitionValues: a.partitionValues, size: a.size } };
  });
  await db.run("DROP TABLE IF EXISTS patch; DROP TABLE IF EXISTS matched");
  await commitActions(t, [...removes, ...adds.map((a) => ({ add: a }))], "UPDATE", { predicate: "backfill of added columns", columns: JSON.stringify(targets.map((c) => c.name)) });
  return n;
}
