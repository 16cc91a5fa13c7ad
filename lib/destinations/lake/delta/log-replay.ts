// State replay: a table's snapshot at a version is the newest Parquet checkpoint not newer than
// it plus the JSON commits after that checkpoint, applied in order (adds minus removes).
import type { DuckConn } from "./duck";
import type { DeltaFiles } from "./files";
import { applyActions, checkpointName, checkpointVersion, commitName, commitVersion, emptySnapshot, LOG_DIR, parseCommit, type Action, type Snapshot } from "./log";
import { quoteStr } from "./schema";

/** The table's state at `upTo` (default: the newest version). */
export async function replaySnapshot(files: DeltaFiles, db: () => Promise<DuckConn>, table: string, upTo = Number.POSITIVE_INFINITY): Promise<Snapshot> {
  const names = (await files.list(`${LOG_DIR}/`)).map((f) => f.path.slice(LOG_DIR.length + 1));
  const commits = names.map(commitVersion).filter((v): v is number => v !== null && v <= upTo).sort((a, b) => a - b);
  const cps = names.map(checkpointVersion).filter((v): v is number => v !== null && v <= upTo).sort((a, b) => a - b);
  const s = emptySnapshot();
  let from = 0;
  const cp = cps.at(-1);
  if (cp !== undefined) {
    applyActions(s, cp, await readCheckpoint(files, await db(), cp));
    from = cp + 1;
  }
  for (const v of commits) {
    if (v < from) continue;
    if (v !== s.version + 1) throw new Error(`Delta table ${table}: the log jumps from version ${s.version} to ${v}`);
    const raw = await files.read(`${LOG_DIR}/${commitName(v)}`);
    if (!raw) throw new Error(`Delta table ${table}: ${commitName(v)} vanished while reading the log`);
    applyActions(s, v, parseCommit(raw.toString("utf8")));
  }
  if (Number.isFinite(upTo) && s.version !== upTo) throw new Error(`Delta table ${table} has no version ${upTo} (newest ${s.version})`);
  return s;
}

async function readCheckpoint(files: DeltaFiles, db: DuckConn, version: number): Promise<Action[]> {
  const local = await files.localOf(`${LOG_DIR}/${checkpointName(version)}`);
  const rows = await db.all(
    `SELECT to_json(protocol)::VARCHAR p, to_json(metaData)::VARCHAR m, to_json(txn)::VARCHAR t, to_json("add")::VARCHAR a, to_json("remove")::VARCHAR r FROM read_parquet(${quoteStr(local)})`,
  );
  const out: Action[] = [];
  const clean = <T>(json: string): T => JSON.parse(json, (_k, v) => (v === null ? undefined : v)) as T;
  for (const r of rows) {
    if (r.p) out.push({ protocol: clean(String(r.p)) });
    if (r.m) out.push({ metaData: clean(String(r.m)) });
    if (r.t) out.push({ txn: clean(String(r.t)) });
    if (r.a) out.push({ add: clean(String(r.a)) });
    if (r.r) out.push({ remove: clean(String(r.r)) });
  }
  return out;
}
