// Test helpers (not a test file): read a Delta table back WITHOUT the writer's code — list the
// log, check it is numbered 0,1,2… (or continues a checkpoint), validate every commit's actions
// against the protocol's required fields, replay adds minus removes (from `_last_checkpoint`'s
// checkpoint when there is one), then read the live Parquet files with DuckDB read_parquet.
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { expect } from "vitest";
import type { LakeStorage } from "../storage";
import { parseCommit, validateCommit, type Action } from "./log";

export interface Replayed {
  version: number;
  /** Live data files (table-relative, decoded) → partition values. */
  live: Map<string, Record<string, string | null>>;
  schema: { name: string; type: string }[];
  partitionColumns: string[];
  commits: { version: number; actions: Action[] }[];
  checkpoint: number | null;
}

async function duck() {
  const inst = await DuckDBInstance.create(":memory:", { threads: "1" });
  const c = await inst.connect();
  await c.run("SET TimeZone = 'UTC'");
  return {
    all: async (sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[],
    close: () => {
      c.closeSync();
      inst.closeSync();
    },
  };
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Replays `<dir>/_delta_log` up to `upTo` (default newest), validating every commit read. */
export async function replayLog(storage: LakeStorage, dir: string, upTo = Infinity, useCheckpoint = true): Promise<Replayed> {
  const logFiles = (await storage.list(`${dir}/_delta_log/`)).map((f) => f.path.slice(dir.length + "/_delta_log/".length));
  const versions = logFiles.map((n) => /^(\d{20})\.json$/.exec(n)).filter(Boolean).map((m) => Number(m![1])).sort((a, b) => a - b);
  expect(versions.length, `${dir}: no commits`).toBeGreaterThan(0);
  // Numbered without gaps; after a log clean-up the first commits are gone and a checkpoint stands in for them.
  versions.forEach((v, i) => expect(v, `${dir}: commits numbered without gaps`).toBe(versions[0] + i));
  const checkpoints = logFiles.map((n) => /^(\d{20})\.checkpoint\.parquet$/.exec(n)).filter(Boolean).map((m) => Number(m![1]));
  let cp: number | null = null;
  const live = new Map<string, Record<string, string | null>>();
  let meta: { schemaString: string; partitionColumns: string[] } | null = null;
  let version = -1;
  if (useCheckpoint) {
    const last = await storage.read(`${dir}/_delta_log/_last_checkpoint`);
    if (last) {
      const lc = JSON.parse(last.toString("utf8")) as { version: number; size: number };
      expect(typeof lc.size).toBe("number");
      if (lc.version <= upTo) cp = lc.version;
      // Time travel before it: the newest checkpoint not newer than the version asked for.
      else cp = checkpoints.filter((v) => v <= upTo).sort((a, b) => a - b).at(-1) ?? null;
    }
  }
  if (versions[0] > 0) expect(cp !== null && cp >= versions[0] - 1, `${dir}: the log starts at version ${versions[0]} with no checkpoint before it (up to ${upTo})`).toBe(true);
  if (cp !== null) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-delta-cp-"));
    const file = path.join(tmp, "cp.parquet");
    await storage.download(`${dir}/_delta_log/${String(cp).padStart(20, "0")}.checkpoint.parquet`, file);
    const d = await duck();
    try {
      const rows = await d.all(`SELECT "add".path AS ap, to_json("add".partitionValues)::VARCHAR AS apv, "remove".path AS rp, metaData.schemaString AS ss, to_json(metaData.partitionColumns)::VARCHAR AS pc, protocol.minReaderVersion AS r, protocol.minWriterVersion AS w FROM read_parquet(${q(file)})`);
      for (const r of rows) {
        if (r.ap) live.set(decodeURIComponent(String(r.ap)), JSON.parse(String(r.apv)));
        if (r.ss) meta = { schemaString: String(r.ss), partitionColumns: JSON.parse(String(r.pc)) };
        if (r.r !== null && r.r !== undefined) expect([Number(r.r), Number(r.w)]).toEqual([1, 2]);
      }
    } finally {
      d.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    version = cp;
  }
  const commits: Replayed["commits"] = [];
  for (const v of versions) {
    if (v > upTo) break;
    const raw = (await storage.read(`${dir}/_delta_log/${String(v).padStart(20, "0")}.json`))!.toString("utf8");
    const actions = parseCommit(raw);
    expect(validateCommit(v, actions), `${dir} version ${v}`).toEqual([]);
    commits.push({ version: v, actions });
    if (cp !== null && v <= cp) continue;
    for (const a of actions) {
      if ("add" in a) live.set(decodeURIComponent(a.add.path), a.add.partitionValues);
      else if ("remove" in a) live.delete(decodeURIComponent(a.remove.path));
      else if ("metaData" in a) meta = a.metaData;
    }
    version = v;
  }
  expect(meta, `${dir}: no metaData`).not.toBeNull();
  const schema = (JSON.parse(meta!.schemaString) as { fields: { name: string; type: string }[] }).fields;
  return { version, live, schema, partitionColumns: meta!.partitionColumns, commits, checkpoint: cp };
}

/** Every row of the live files (partition column from the log), read with DuckDB read_parquet. */
export async function readDeltaRows(storage: LakeStorage, dir: string, upTo = Infinity): Promise<{ rows: Record<string, unknown>[]; replay: Replayed }> {
  const replay = await replayLog(storage, dir, upTo);
  if (!replay.live.size) return { rows: [], replay };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-delta-read-"));
  const d = await duck();
  try {
    const parts: string[] = [];
    let i = 0;
    for (const [p, pv] of replay.live) {
      const local = path.join(tmp, `${i++}.parquet`);
      await storage.download(`${dir}/${p}`, local);
      parts.push(`SELECT *, ${q(pv.PartitionId ?? "")} AS PartitionId FROM read_parquet(${q(local)})`);
    }
    const rows = await d.all(`SELECT * FROM (${parts.join(" UNION ALL BY NAME ")}) ORDER BY Id`);
    return { rows, replay };
  } finally {
    d.close();
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/** The latest state as Delta readers see it: one row per Id, IsDelete rows filtered out; fails on a repeated Id. */
export async function liveRows(storage: LakeStorage, dir: string, upTo = Infinity): Promise<Map<string, Record<string, unknown>>> {
  const { rows } = await readDeltaRows(storage, dir, upTo);
  const out = new Map<string, Record<string, unknown>>();
  const seen = new Set<string>();
  for (const r of rows) {
    const id = String(r.Id);
    expect(seen.has(id), `${dir}: Id ${id} in two live rows`).toBe(false);
    seen.add(id);
    if (r.IsDelete !== true) out.set(id, r);
  }
  return out;
}

/** The Parquet column types of every live file (column → the distinct DuckDB types seen). */
export async function liveFileTypes(storage: LakeStorage, dir: string): Promise<Map<string, Set<string>>> {
  const replay = await replayLog(storage, dir);
  const out = new Map<string, Set<string>>();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-delta-types-"));
  const d = await duck();
  try {
    let i = 0;
    for (const p of replay.live.keys()) {
      const local = path.join(tmp, `${i++}.parquet`);
      await storage.download(`${dir}/${p}`, local);
      for (const r of await d.all(`DESCRIBE SELECT * FROM read_parquet(${q(local)})`)) {
        const name = String(r.column_name);
        (out.get(name) ?? out.set(name, new Set()).get(name)!).add(String(r.column_type));
      }
    }
    return out;
  } finally {
    d.close();
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}
