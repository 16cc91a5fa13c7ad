// Write throughput of the destinations: N synthetic account-like records (≈30 columns: strings,
// lookups, decimals, dates) upserted in batches into a fresh SQLite file, and into a fresh
// PostgreSQL database when one is reachable. For PostgreSQL, in the same run: the engine's write
// path (COPY + merge from copyMinRows rows a batch), the parameterised upsert alone, and the limit —
// the same rows, already encoded, COPYed into one staging table and merged once, directly with pg —
// with the ratio engine / limit (goal >= 0.8). --sizes prints both paths per batch size (the
// COPY threshold is chosen from it).
//
//   npx tsx bench/write.ts [--records 1000000] [--batch 5000] [--no-pg] [--no-sqlite] [--sizes]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AttributeInfo, SourceRecord, TableSchema } from "../lib/dataverse/types";
import { tableSpecFor } from "../lib/destinations/columns";
import { PostgresDestination, type PostgresTuning } from "../lib/destinations/postgres";
import { copyChunks, pgId } from "../lib/destinations/postgres-copy";
import { identityEncoder, makeRowBuilder } from "../lib/destinations/row-values";
import pgLib from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SqliteDestination } from "../lib/destinations/sqlite";
import type { Destination } from "../lib/destinations/types";
import { usePostgres } from "../lib/testing/postgres";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("records", 100_000);
const BATCH = arg("batch", 5000);
const withPg = !process.argv.includes("--no-pg");
const withSizes = process.argv.includes("--sizes");
const withSqlite = !process.argv.includes("--no-sqlite");

const attr = (logicalName: string, kind: AttributeInfo["kind"], extra: Partial<AttributeInfo> = {}): AttributeInfo => ({
  logicalName, kind, typeName: `${kind}Type`, isPrimaryId: false, isValidForRead: true, ...extra,
});

const schema: TableSchema = {
  table: {
    logicalName: "account", schemaName: "Account", entitySetName: "accounts", primaryIdAttribute: "accountid",
    displayName: "Account", changeTrackingEnabled: true, isIntersect: false,
  },
  attributes: [
    attr("accountid", "Uniqueidentifier", { isPrimaryId: true }),
    attr("name", "String", { maxLength: 160 }),
    attr("accountnumber", "String", { maxLength: 20 }),
    attr("telephone1", "String", { maxLength: 50 }),
    attr("emailaddress1", "String", { maxLength: 100 }),
    attr("address1_line1", "String", { maxLength: 250 }),
    attr("address1_city", "String", { maxLength: 80 }),
    attr("address1_postalcode", "String", { maxLength: 20 }),
    attr("websiteurl", "String", { maxLength: 200 }),
    attr("description", "Memo", { maxLength: 2000 }),
    attr("primarycontactid", "Lookup", { targets: ["contact"] }),
    attr("parentaccountid", "Lookup", { targets: ["account"] }),
    attr("ownerid", "Owner", { targets: ["systemuser", "team"] }),
    attr("createdby", "Lookup", { targets: ["systemuser"] }),
    attr("transactioncurrencyid", "Lookup", { targets: ["transactioncurrency"] }),
    attr("revenue", "Money", { precision: 2 }),
    attr("creditlimit", "Money", { precision: 2 }),
    attr("exchangerate", "Decimal", { precision: 10 }),
    attr("address1_latitude", "Double", { precision: 5 }),
    attr("numberofemployees", "Integer"),
    attr("industrycode", "Picklist"),
    attr("statecode", "State"),
    attr("statuscode", "Status"),
    attr("donotemail", "Boolean"),
    attr("createdon", "DateTime"),
    attr("modifiedon", "DateTime"),
    attr("lastusedincampaign", "DateTime", { dateFormat: "DateOnly" }),
  ],
};

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
// Dataverse GUIDs are not in insertion order; a multiplicative hash scatters them like real ones.
const id = (kind: number, n: number) => `${hex(Math.imul(n + 1, 2654435761) >>> 0, 8)}-${hex(kind, 4)}-4000-8000-${hex(n, 12)}`;

function record(n: number): SourceRecord {
  const day = 1 + (n % 28);
  return {
    id: id(1, n),
    version: String(1_000_000 + n),
    values: {
      name: `Account ${n} Fabrikam Contoso Ltd`,
      accountnumber: `AC-${n}`,
      telephone1: `+1 425 555 ${hex(n % 65536, 4)}`,
      emailaddress1: `contact${n}@example.com`,
      address1_line1: `${n % 9999} Main Street`,
      address1_city: ["Seattle", "Redmond", "Paris", "Zürich"][n % 4],
      address1_postalcode: String(10000 + (n % 89999)),
      websiteurl: `https://www.example${n % 500}.com`,
      description: n % 3 === 0 ? `Long-standing customer ${n}; renews yearly.\nSecond line.` : null,
      primarycontactid: { id: id(2, n), entityType: "contact" },
      parentaccountid: n % 5 === 0 && n > 0 ? { id: id(1, n - 1), entityType: "account" } : null,
      ownerid: { id: id(3, n % 50), entityType: n % 7 === 0 ? "team" : "systemuser" },
      createdby: { id: id(3, n % 50), entityType: "systemuser" },
      transactioncurrencyid: { id: id(4, 1), entityType: "transactioncurrency" },
      revenue: (n % 100000) * 12.5,
      creditlimit: 50000,
      exchangerate: 1.0000000001,
      address1_latitude: 47.6 + (n % 100) / 1000,
      numberofemployees: n % 5000,
      industrycode: 1 + (n % 30),
      statecode: 0,
      statuscode: 1,
      donotemail: n % 2 === 0,
      createdon: `2024-01-${String(day).padStart(2, "0")}T08:30:00Z`,
      modifiedon: `2024-02-${String(day).padStart(2, "0")}T17:45:12Z`,
      lastusedincampaign: `2023-12-${String(day).padStart(2, "0")}`,
    },
  };
}

const rate = (rows: number, ms: number) => Math.round((rows / ms) * 1000);
const fmt = (n: number) => n.toLocaleString("en-US");

async function run(label: string, dest: Destination, prefix = "bench", total = N, batchSize = BATCH, quiet = false): Promise<number> {
  const spec = tableSpecFor(schema, prefix);
  await dest.prepare({ deleteLog: false });
  await dest.ensureTable(spec);
  let writeMs = 0;
  let written = 0;
  const wall = performance.now();
  for (let start = 0; start < total; start += batchSize) {
    const batch: SourceRecord[] = [];
    for (let n = start; n < Math.min(total, start + batchSize); n++) batch.push(record(n));
    const t0 = performance.now();
    written += (await dest.upsert(spec, batch)).written;
    writeMs += performance.now() - t0;
  }
  const wallMs = performance.now() - wall;
  await dest.close();
  if (!quiet) {
    console.log(
      `${label.padEnd(18)} ${written} records, ${spec.columns.length} columns, batches of ${batchSize}: ` +
        `${fmt(rate(written, writeMs))} records/s in upsert (${(writeMs / 1000).toFixed(1)} s), ` +
        `${fmt(rate(written, wallMs))} records/s incl. generation; ` +
        `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
    );
  }
  return rate(written, writeMs);
}

/**
 * The limit for PostgreSQL: the same N rows, encoded before the clock starts, COPYed into one
 * staging table and merged into an empty target with one version-guarded statement, in one
 * transaction, directly with pg (no batching, no engine).
 */
async function pgLimit(url: string): Promise<number> {
  const spec = tableSpecFor(schema, "limit");
  const setup = new PostgresDestination({ connectionString: url }, { schemaName: "dbo", prefix: "limit" }, "bench");
  await setup.prepare({ deleteLog: false });
  await setup.ensureTable(spec);
  await setup.close();
  const build = makeRowBuilder(spec, identityEncoder);
  const now = new Date().toISOString();
  const rows: unknown[][] = [];
  for (let n = 0; n < N; n++) rows.push(build(record(n), now));
  const e0 = performance.now();
  const chunks = [...copyChunks(spec, rows)];
  const encodeMs = performance.now() - e0;
  rows.length = 0;
  const target = `${pgId("dbo")}.${pgId(spec.tableName)}`;
  const cols = spec.columns.map((c) => pgId(c.name)).join(", ");
  const updates = spec.columns.filter((c) => c.name !== "Id" && c.name !== "SinkCreatedOn").map((c) => `${pgId(c.name)} = excluded.${pgId(c.name)}`).join(", ");
  const client = new pgLib.Client({ connectionString: url });
  await client.connect();
  try {
    const t0 = performance.now();
    await client.query("begin");
    await client.query(`create temp table stage on commit drop as select ${cols} from ${target} with no data`);
    await pipeline(Readable.from(chunks), client.query(copyFrom(`copy stage (${cols}) from stdin`)));
    const r = await client.query(`insert into ${target} as t (${cols}) select ${cols} from stage
      on conflict ("Id") do update set ${updates} where t."versionnumber" is null or excluded."versionnumber" >= t."versionnumber"`);
    await client.query("commit");
    const ms = performance.now() - t0;
    console.log(
      `${"postgres limit".padEnd(18)} ${r.rowCount} records in one COPY + one merge: ${fmt(rate(r.rowCount ?? 0, ms))} records/s (${(ms / 1000).toFixed(1)} s); ` +
        `the COPY text encoding of those rows, not counted above, took ${(encodeMs / 1000).toFixed(1)} s ` +
        `(${fmt(rate(r.rowCount ?? 0, ms + encodeMs))} records/s with it)`,
    );
    return rate(r.rowCount ?? 0, ms);
  } finally {
    await client.end();
  }
}

/** Both PostgreSQL paths per batch size, into fresh tables: where COPY starts to pay. */
async function pgSizes(url: string): Promise<void> {
  const open = (prefix: string, tuning: PostgresTuning) => new PostgresDestination({ connectionString: url }, { schemaName: "dbo", prefix }, "bench", tuning);
  console.log("batch size  parameterised  COPY+merge   (records/s)");
  for (const size of [10, 100, 250, 500, 1000, 2500, 5000]) {
    const total = Math.min(N, Math.max(size * 40, 10_000));
    const param = await run("", open(`p${size}`, { copyMinRows: Infinity }), `p${size}`, total, size, true);
    const copy = await run("", open(`c${size}`, { copyMinRows: 1 }), `c${size}`, total, size, true);
    console.log(`${String(size).padStart(10)}  ${fmt(param).padStart(13)}  ${fmt(copy).padStart(10)}`);
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-bench-"));
try {
  if (withSqlite) await run("sqlite", new SqliteDestination(path.join(dir, "bench.db"), { schemaName: "dbo", prefix: "bench" }));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
if (withPg) {
  const pg = await usePostgres();
  if (pg.available) {
    try {
      const engine = await run("postgres engine", new PostgresDestination({ connectionString: pg.url }, { schemaName: "dbo", prefix: "bench" }, "bench"));
      await run("postgres params", new PostgresDestination({ connectionString: pg.url }, { schemaName: "dbo", prefix: "param" }, "bench", { copyMinRows: Infinity }), "param");
      const limit = await pgLimit(pg.url);
      console.log(`postgres engine / limit: ${(engine / limit).toFixed(2)} (goal >= 0.8)`);
      if (withSizes) await pgSizes(pg.url);
    } finally {
      await pg.cleanup();
    }
  }
}
