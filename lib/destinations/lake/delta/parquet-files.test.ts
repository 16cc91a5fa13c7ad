// Data files are written in row groups of ROW_GROUP_ROWS: a partitioned COPY buffers one row
// group per partition, so the row group size bounds the writer's memory (the export's peak RSS).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, expect, it } from "vitest";
import { tableSpecFor } from "../../columns";
import { accountRecord, accountSchema } from "../../test-fixtures";
import { FolderStorage } from "../folder-storage";
import { DeltaDestination } from "./delta-destination";
import { tableDirOf } from "./delta-table";
import { ROW_GROUP_ROWS } from "./parquet-files";
import { replayLog } from "./test-support";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-delta-rowgroups-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it(`data files hold row groups of at most ${ROW_GROUP_ROWS} rows`, async () => {
  const storage = new FolderStorage(root);
  const d = new DeltaDestination(storage, { schemaName: "dbo", prefix: "", lake: { format: "delta", deltaCompactMinutes: 1e6, deltaVacuumMinutes: 1e6 } });
  const spec = tableSpecFor(accountSchema("account"), "");
  const rows = ROW_GROUP_ROWS + 5000;
  try {
    await d.ensureTable(spec);
    for (let n = 0; n < rows; n += 5000) await d.upsert(spec, Array.from({ length: Math.min(5000, rows - n) }, (_, i) => accountRecord(n + i + 1, 1)));
    await d.maintain([]);
  } finally {
    await d.close();
  }
  const dir = tableDirOf("account");
  const live = [...(await replayLog(storage, dir)).live.keys()];
  expect(live).toHaveLength(1);
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  const groups = (await db.runAndReadAll(`SELECT row_group_num_rows AS n FROM parquet_metadata('${path.join(root, dir, live[0])}') GROUP BY row_group_id, row_group_num_rows`)).getRowObjectsJson();
  expect(groups.reduce((s, g) => s + Number(g.n), 0)).toBe(rows);
  expect(Math.max(...groups.map((g) => Number(g.n)))).toBeLessThanOrEqual(ROW_GROUP_ROWS);
  db.closeSync();
  instance.closeSync();
}, 120_000);
