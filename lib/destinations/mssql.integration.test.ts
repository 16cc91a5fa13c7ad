// Runs the Destination conformance suite against a real SQL Server when MSSQL_URL is set
// (any form parseTarget accepts, e.g. mssql://sa:pw@localhost:1433/test?trustServerCertificate=true).
// The tables it creates live in a fresh schema that is dropped afterwards.
import mssql from "mssql";
import { afterAll, beforeAll, describe } from "vitest";
import { destinationSuite, type TargetProbe } from "./conformance";
import { MssqlDestination } from "./mssql";
import { parseTarget } from "./target";

const url = process.env.MSSQL_URL;
if (!url) console.warn("SKIPPED: SQL Server integration tests: MSSQL_URL is not set");

const schema = `dvx_test_${Date.now().toString(36)}`;
const bulkSchema = `${schema}_bulk`;
const b = (n: string) => `[${n.replace(/]/g, "]]")}]`;

describe.skipIf(!url)("mssql (MSSQL_URL)", () => {
  const target = url ? parseTarget(url) : null;
  const config = target?.kind === "mssql" ? target.connection : ({ server: "" } as mssql.config);
  let pool: mssql.ConnectionPool;
  const query = async (text: string) => (await pool.request().query(text)).recordset ?? [];

  beforeAll(async () => {
    pool = await new mssql.ConnectionPool(config).connect();
  });
  afterAll(async () => {
    if (!pool) return;
    for (const s of [schema, bulkSchema]) {
      const tables = await query(`select name from sys.tables where schema_id = schema_id('${s}')`);
      for (const t of tables) await query(`drop table ${b(s)}.${b(String(t.name))}`);
      await query(`drop schema if exists ${b(s)}`);
    }
    await pool.close();
  });

  const probe = (s: string): TargetProbe => ({
    hasWidths: true,
    rows: (t) => query(`select * from ${b(s)}.${b(t)}`),
    columns: async (t) =>
      (await query(`select name from sys.columns where object_id = object_id('${b(s)}.${b(t).replace(/'/g, "''")}') order by column_id`)).map((r) => String(r.name)),
    width: async (t, c) => {
      const [r] = await query(
        `select max_length from sys.columns where object_id = object_id('${b(s)}.${b(t).replace(/'/g, "''")}') and name = '${c.replace(/'/g, "''")}'`,
      );
      return r.max_length === -1 ? null : Number(r.max_length) / 2;
    },
    poison: async (t, id) => {
      await query(`create trigger ${b(s)}.${b(`poison_${t}`)} on ${b(s)}.${b(t)} after insert, update as
        if exists (select 1 from inserted where Id = '${id}') throw 50001, 'poison record', 1;`);
    },
  });

  destinationSuite("mssql", async (o) => new MssqlDestination(config, { ...o, schemaName: schema }, "mssql-under-test"), () => probe(schema));
  // Every batch, even of one row, bulk-loaded into #dvx_stage and merged from there — poison
  // records inside a bulk batch included (its own schema: the suite creates the same tables).
  destinationSuite(
    "mssql (bulk load forced)",
    async (o) => new MssqlDestination(config, { ...o, schemaName: bulkSchema }, "mssql-under-test", { bulkMinRows: 1 }),
    () => probe(bulkSchema),
  );
});
