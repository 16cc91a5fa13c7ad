// The Delta transaction log (github.com/delta-io/delta PROTOCOL.md), at reader version 1 / writer
// version 2 — no deletion vectors, no column mapping, no table features: the level Synapse
// serverless reads. A table's state at version v is the replay of `_delta_log/<v:20>.json`
// commits (newline-delimited actions) on top of the newest Parquet checkpoint not newer than v;
// `_last_checkpoint` names that checkpoint. This module holds the action shapes, the replay and
// a validator the tests use against every commit.

export const PROTOCOL = { minReaderVersion: 1, minWriterVersion: 2 } as const;
export const LOG_DIR = "_delta_log";
export const CHECKPOINT_EVERY = 10;

export interface ProtocolAction {
  minReaderVersion: number;
  minWriterVersion: number;
}

export interface MetaDataAction {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: "parquet"; options: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime?: number | null;
}

export interface AddAction {
  /** Relative to the table's root, URI-encoded (RFC 2396) as the protocol asks. */
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  /** JSON text: numRecords, minValues, maxValues, nullCount. */
  stats?: string | null;
  tags?: Record<string, string> | null;
}

export interface RemoveAction {
  path: string;
  deletionTimestamp?: number | null;
  dataChange: boolean;
  extendedFileMetadata?: boolean | null;
  partitionValues?: Record<string, string | null> | null;
  size?: number | null;
}

export interface TxnAction {
  appId: string;
  version: number;
  lastUpdated?: number | null;
}

export interface CommitInfo {
  timestamp: number;
  operation: string;
  operationParameters?: Record<string, unknown>;
  [key: string]: unknown;
}

export type Action =
  | { protocol: ProtocolAction }
  | { metaData: MetaDataAction }
  | { add: AddAction }
  | { remove: RemoveAction }
  | { txn: TxnAction }
  | { commitInfo: CommitInfo };

export const commitName = (version: number) => `${String(version).padStart(20, "0")}.json`;
export const checkpointName = (version: number) => `${String(version).padStart(20, "0")}.checkpoint.parquet`;

/** Version of a log file name (`00000000000000000012.json` → 12), or null for anything else. */
export function commitVersion(name: string): number | null {
  const m = /^(\d{20})\.json$/.exec(name);
  return m ? Number(m[1]) : null;
}

export function checkpointVersion(name: string): number | null {
  const m = /^(\d{20})\.checkpoint\.parquet$/.exec(name);
  return m ? Number(m[1]) : null;
}

export function serializeCommit(actions: Action[]): string {
  return actions.map((a) => JSON.stringify(a)).join("\n") + "\n";
}

export function parseCommit(text: string): Action[] {
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Action);
}

/** A table's state at one version: what readers see. */
export interface Snapshot {
  version: number;
  protocol: ProtocolAction | null;
  metaData: MetaDataAction | null;
  /** Live files by (decoded) path. */
  files: Map<string, AddAction>;
  /** Removed files (tombstones) by path, kept for vacuum. */
  tombstones: Map<string, RemoveAction>;
  txns: Map<string, TxnAction>;
  /** Timestamp of the newest commitInfo replayed from JSON (null when only a checkpoint was read). */
  lastCommitAt: number | null;
}

export function emptySnapshot(): Snapshot {
  return { version: -1, protocol: null, metaData: null, files: new Map(), tombstones: new Map(), txns: new Map(), lastCommitAt: null };
}

/** Applies one version's actions (action reconciliation: the last add/remove of a path wins). */
export function applyActions(s: Snapshot, version: number, actions: Action[]): void {
  for (const a of actions) {
    if ("protocol" in a) s.protocol = a.protocol;
    else if ("metaData" in a) s.metaData = a.metaData;
    else if ("add" in a) {
      const p = decodeURIComponent(a.add.path);
      s.files.set(p, a.add);
      s.tombstones.delete(p);
    } else if ("remove" in a) {
      const p = decodeURIComponent(a.remove.path);
      s.files.delete(p);
      s.tombstones.set(p, a.remove);
    } else if ("txn" in a) s.txns.set(a.txn.appId, a.txn);
    else if ("commitInfo" in a && typeof a.commitInfo.timestamp === "number") s.lastCommitAt = a.commitInfo.timestamp;
  }
  s.version = version;
}

/** The checkpoint's rows: one action per row (protocol, metaData, txns, adds, unexpired tombstones). */
export function checkpointActions(s: Snapshot, now: number, tombstoneRetentionMs: number): Action[] {
  const out: Action[] = [];
  if (s.protocol) out.push({ protocol: s.protocol });
  if (s.metaData) out.push({ metaData: s.metaData });
  for (const t of s.txns.values()) out.push({ txn: t });
  for (const a of s.files.values()) out.push({ add: { ...a, dataChange: false } });
  for (const r of s.tombstones.values()) {
    if ((r.deletionTimestamp ?? 0) + tombstoneRetentionMs >= now) out.push({ remove: { ...r, dataChange: false } });
  }
  return out;
}

/** Encodes a table-relative path as an RFC 2396 URI path (each segment encoded, "/" kept). */
export function encodePath(p: string): string {
  return p.split("/").map(encodeURIComponent).join("/");
}

// ---- validation (used by the tests on every commit; cheap enough for production checks) -----

const isInt = (v: unknown) => typeof v === "number" && Number.isInteger(v);
const isStrMap = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v as object).every((x) => x === null || typeof x === "string");

/** Problems with one commit's actions against the protocol's required fields (empty = valid). */
export function validateCommit(version: number, actions: Action[]): string[] {
  const errs: string[] = [];
  const at = (what: string) => `version ${version}: ${what}`;
  let metas = 0;
  let protocols = 0;
  const adds = new Set<string>();
  const removes = new Set<string>();
  for (const a of actions) {
    const keys = Object.keys(a);
    if (keys.length !== 1) errs.push(at(`an action line has ${keys.length} keys`));
    if ("protocol" in a) {
      protocols++;
      if (!isInt(a.protocol.minReaderVersion) || !isInt(a.protocol.minWriterVersion)) errs.push(at("protocol needs minReaderVersion and minWriterVersion"));
      if (a.protocol.minReaderVersion !== 1 || a.protocol.minWriterVersion !== 2) errs.push(at("protocol is not reader 1 / writer 2"));
    } else if ("metaData" in a) {
      metas++;
      const m = a.metaData;
      if (typeof m.id !== "string" || !m.id) errs.push(at("metaData.id missing"));
      if (m.format?.provider !== "parquet" || !isStrMap(m.format?.options)) errs.push(at("metaData.format must be {provider: parquet, options: {}}"));
      if (typeof m.schemaString !== "string") errs.push(at("metaData.schemaString missing"));
      else {
        const schema = JSON.parse(m.schemaString) as { type: string; fields: { name: string; type: unknown; nullable: boolean; metadata: object }[] };
        if (schema.type !== "struct" || !Array.isArray(schema.fields)) errs.push(at("schemaString is not a struct"));
        const names = new Set<string>();
        for (const f of schema.fields ?? []) {
          if (typeof f.name !== "string" || typeof f.type !== "string" || typeof f.nullable !== "boolean" || typeof f.metadata !== "object") errs.push(at(`schema field ${f.name} incomplete`));
          if (names.has(f.name.toLowerCase())) errs.push(at(`schema field ${f.name} repeated (case-insensitively)`));
          names.add(f.name.toLowerCase());
        }
        for (const p of m.partitionColumns ?? []) if (!names.has(p.toLowerCase())) errs.push(at(`partition column ${p} not in the schema`));
      }
      if (!Array.isArray(m.partitionColumns)) errs.push(at("metaData.partitionColumns missing"));
      if (!isStrMap(m.configuration)) errs.push(at("metaData.configuration missing"));
    } else if ("add" in a) {
      const f = a.add;
      if (typeof f.path !== "string" || !f.path) errs.push(at("add.path missing"));
      if (!isStrMap(f.partitionValues)) errs.push(at(`add ${f.path}: partitionValues missing`));
      if (!isInt(f.size) || !isInt(f.modificationTime) || typeof f.dataChange !== "boolean") errs.push(at(`add ${f.path}: size/modificationTime/dataChange missing`));
      if (f.stats !== undefined && f.stats !== null) {
        const st = JSON.parse(f.stats) as { numRecords?: unknown };
        if (!isInt(st.numRecords)) errs.push(at(`add ${f.path}: stats.numRecords missing`));
      }
      if (adds.has(f.path)) errs.push(at(`add ${f.path} twice`));
      adds.add(f.path);
    } else if ("remove" in a) {
      const r = a.remove;
      if (typeof r.path !== "string" || !r.path) errs.push(at("remove.path missing"));
      if (typeof r.dataChange !== "boolean") errs.push(at(`remove ${r.path}: dataChange missing`));
      if (removes.has(r.path)) errs.push(at(`remove ${r.path} twice`));
      removes.add(r.path);
    } else if ("txn" in a) {
      if (typeof a.txn.appId !== "string" || !isInt(a.txn.version)) errs.push(at("txn needs appId and version"));
    } else if ("commitInfo" in a) {
      // Free-form (provenance); ours always carries timestamp and operation.
    } else errs.push(at(`unknown action ${keys[0]}`));
  }
  if (metas > 1) errs.push(at("more than one metaData"));
  if (protocols > 1) errs.push(at("more than one protocol"));
  if (version === 0 && (metas !== 1 || protocols !== 1)) errs.push(at("version 0 must hold protocol and metaData"));
  return errs;
}
