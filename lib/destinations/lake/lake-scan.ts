// (Id, versionnumber) of a lake table's latest state in SQL Server's uniqueidentifier order, for
// reconciliation. DuckDB sorts (out of core when it must) into a temporary file that is then
// read back a page at a time, so memory stays bounded by a page on this side.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { SQL_GUID_KEY_SLICES } from "../../dataverse/sql-guid-order";
import type { IdScanOptions, IdVersion, TargetTableSpec } from "../types";
import { openLakeReader } from "./reader";
import type { LakeStorage } from "./storage";
import { loadBook } from "./table-book";

export async function* scanLakeIdVersions(storage: LakeStorage, spec: TargetTableSpec, opts: IdScanOptions = {}): AsyncIterable<IdVersion[]> {
  if (!(await loadBook(storage, spec.tableName))) return;
  const pageSize = Math.max(1, opts.pageSize ?? 5000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-lake-ids-"));
  try {
    const out = path.join(dir, "ids.csv");
    const reader = await openLakeReader(storage, { tables: [spec.tableName] });
    try {
      const key = guidOrderKey("Id");
      const table = `"${spec.tableName.replace(/"/g, '""')}"`;
      await reader.query(`COPY (SELECT lower("Id") AS id, CAST("versionnumber" AS VARCHAR) AS v FROM ${table} ORDER BY ${key}) TO '${out.replace(/'/g, "''")}' (HEADER false, DELIMITER ',')`);
    } finally {
      await reader.close();
    }
    yield* idVersionPages(out, pageSize, opts.signal);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A DuckDB expression ordering `column` (a GUID) as SQL Server orders uniqueidentifier. */
export function guidOrderKey(column: string): string {
  const id = `"${column.replace(/"/g, '""')}"`;
  return SQL_GUID_KEY_SLICES.map(([s, n]) => `substr(lower(${id}), ${s}, ${n})`).join(" || ");
}

/** Pages of `id,version` lines from a headerless CSV file DuckDB wrote (read a page at a time). */
export async function* idVersionPages(file: string, pageSize: number, signal?: AbortSignal): AsyncIterable<IdVersion[]> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, "utf8"), crlfDelay: Infinity });
  let page: IdVersion[] = [];
  for await (const line of lines) {
    if (signal?.aborted) throw signal.reason ?? new DOMException("Aborted", "AbortError");
    if (!line) continue;
    const comma = line.indexOf(",");
    page.push({ id: line.slice(0, comma), version: line.slice(comma + 1) || null });
    if (page.length >= pageSize) {
      yield page;
      page = [];
    }
  }
  if (page.length) yield page;
}
