// `dataverse-export lake query --target TARGET --sql "select count(*) from account"`: reads a data
// lake back with DuckDB. Each table is a view of its latest state (newest versionnumber per Id,
// deleted rows removed); raw.<table> holds every row as written. --snapshot reads the files
// model.json names instead of the live ones; --incremental the incremental update folders. --delta reads the Delta tables (deltalake/…), as of
// --version N when given (time travel within the vacuum retention).
import fs from "node:fs";
import { parseArgs } from "node:util";
import { csvField } from "../../destinations/lake/csv";
import { parseLakeTarget } from "../../destinations/lake/lake-target";
import { openStorage } from "../../destinations/lake/open-storage";
import { openLakeReader } from "../../destinations/lake/reader";
import { errorText } from "../../sync/retry-policy";
import { inDatabase } from "../../lake-database/location";
import { ZLakeDatabaseName } from "../../lake-database/synapse-script";

/** A lake database's DuckDB file, read-only (the worker may rename a new build over it meanwhile). */
async function queryDatabaseFile(file: string, sql: string, format: string): Promise<number> {
  if (!["table", "csv", "json"].includes(format)) {
    console.error(`dataverse-export lake query: --format must be table, csv or json`);
    return 2;
  }
  if (!fs.existsSync(file)) {
    console.error(`dataverse-export lake query: no such database file: ${file}`);
    return 1;
  }
  try {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
    const conn = await instance.connect();
    try {
      console.log(render((await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[], format));
      return 0;
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  } catch (err) {
    console.error(`dataverse-export lake query: ${errorText(err)}`);
    return 1;
  }
}

const USAGE = `usage: dataverse-export lake query --target TARGET [--database NAME] --sql SQL [--snapshot | --incremental [--folder F] | --delta [--version N]]
           [--tenant-id T --client-id C --client-secret S] [--format table|csv|json]
       dataverse-export lake query --database-file FILE.duckdb --sql SQL [--format table|csv|json]

  TARGET   lake:PATH, abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/PATH;AccountKey=K,
           https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH?SAS, or a storage connection string ;Container=C
  --sql    DuckDB SQL; every exported table is a view of its latest state, raw.<table> has every row
  --snapshot  read the newest snapshot (the files model.json names) instead of the live files
  --delta     read the Delta tables (lake format delta): the log replayed, the live Parquet files
  --version   with --delta: every table as of that Delta version (time travel within the retention)
  --incremental  read the incremental update folders (all complete ones, or only --folder F)
  --tenant-id, --client-id, --client-secret  an Entra app (Storage Blob Data Contributor) for an
           abfss:// or https:// target without a key or SAS, as the organization's app is used by sync
  --database  a lake database of the target: reads <TARGET>/NAME/ (an export with a database name)
  --database-file  a lake database's DuckDB database file (downloaded from the portal or REST, or
           $DATA_DIR/lake-databases/<profile>/NAME.duckdb), opened read-only: its views as built
  --format table (default), csv (with a header) or json (one object per line)`;

function render(rows: Record<string, unknown>[], format: string): string {
  if (format === "json") return rows.map((r) => JSON.stringify(r)).join("\n");
  const cols = rows.length ? Object.keys(rows[0]) : [];
  const text = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
  if (format === "csv") return [cols.join(","), ...rows.map((r) => cols.map((c) => (r[c] === null ? "" : csvField(text(r[c]), "quoted"))).join(","))].join("\n");
  const widths = cols.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => text(r[c]).length))));
  const cell = (s: string, i: number) => (s.length > widths[i] ? `${s.slice(0, widths[i] - 1)}…` : s.padEnd(widths[i]));
  const line = (cells: string[]) => cells.map(cell).join("  ").trimEnd();
  return [line(cols), line(widths.map((w) => "-".repeat(w))), ...rows.map((r) => line(cols.map((c) => text(r[c]).replace(/\s+/g, " "))))].join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "query") {
    console.error(sub && sub !== "--help" && sub !== "-h" ? `dataverse-export lake: unknown subcommand '${sub}'\n${USAGE}` : USAGE);
    return sub === "--help" || sub === "-h" ? 0 : 2;
  }
  let values: {
    target?: string; database?: string; "database-file"?: string; sql?: string; snapshot?: boolean; delta?: boolean; version?: string; incremental?: boolean; folder?: string; format?: string; help?: boolean;
    "tenant-id"?: string; "client-id"?: string; "client-secret"?: string;
  };
  try {
    ({ values } = parseArgs({
      args: rest, strict: true, allowPositionals: false,
      options: {
        target: { type: "string" }, database: { type: "string" }, "database-file": { type: "string" }, sql: { type: "string" }, snapshot: { type: "boolean" }, delta: { type: "boolean" }, version: { type: "string" },
        incremental: { type: "boolean" }, folder: { type: "string" }, format: { type: "string", default: "table" }, help: { type: "boolean", short: "h" },
        "tenant-id": { type: "string" }, "client-id": { type: "string" }, "client-secret": { type: "string" },
      },
    }));
  } catch (err) {
    console.error(`dataverse-export lake query: ${(err as Error).message.split("\n")[0]}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values["database-file"]) {
    if (values.target || values.database || values.snapshot || values.incremental || values.folder || values.delta) {
      console.error(`dataverse-export lake query: --database-file goes alone (no --target, --database, --snapshot, --incremental or --delta)`);
      return 2;
    }
    if (!values.sql) {
      console.error(`dataverse-export lake query: --sql is required\n${USAGE}`);
      return 2;
    }
    return queryDatabaseFile(values["database-file"], values.sql, values.format ?? "table");
  }
  if (!values.target || !values.sql) {
    console.error(`dataverse-export lake query: --target and --sql are required\n${USAGE}`);
    return 2;
  }
  const database = values.database === undefined ? undefined : ZLakeDatabaseName.safeParse(values.database);
  if (database && !database.success) {
    console.error(`dataverse-export lake query: --database: ${database.error.issues[0].message}`);
    return 2;
  }
  if (!["table", "csv", "json"].includes(values.format ?? "table")) {
    console.error(`dataverse-export lake query: --format must be table, csv or json`);
    return 2;
  }
  if (values.version !== undefined && (!values.delta || !/^\d+$/.test(values.version))) {
    console.error(`dataverse-export lake query: --version needs --delta and a whole number`);
    return 2;
  }
  const cred = [values["tenant-id"], values["client-id"], values["client-secret"]];
  if (cred.some(Boolean) && !cred.every(Boolean)) {
    console.error(`dataverse-export lake query: --tenant-id, --client-id and --client-secret go together`);
    return 2;
  }
  if ([values.snapshot, values.incremental || values.folder, values.delta].filter(Boolean).length > 1) {
    console.error(`dataverse-export lake query: --snapshot, --incremental/--folder and --delta exclude each other`);
    return 2;
  }
  const credentials = cred.every(Boolean) ? { tenantId: cred[0]!, clientId: cred[1]!, clientSecret: cred[2]! } : null;
  try {
    const storage = await openStorage(inDatabase(parseLakeTarget(values.target), database?.data), { credentials });
    const source = values.snapshot ? "snapshot" : values.incremental || values.folder ? "incremental" : "live";
    const reader = values.delta
      ? await (await import("../../destinations/lake/delta/delta-reader")).openDeltaReader(storage, { version: values.version === undefined ? undefined : Number(values.version) })
      : await openLakeReader(storage, { source, folder: values.folder });
    try {
      const rows = await reader.query(values.sql);
      console.log(render(rows, values.format ?? "table"));
      return 0;
    } finally {
      await reader.close();
    }
  } catch (err) {
    console.error(`dataverse-export lake query: ${errorText(err)}`);
    return 1;
  }
}
