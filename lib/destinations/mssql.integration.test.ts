// Runs the Destination conformance suite against a real SQL Server when MSSQL_URL is set
// (any form parseTarget accepts, e.g. mssql://sa:pw@localhost:1433/test?trustServerCertificate=true).
// The tables it creates live in a fresh schema that is dropped afterwards.
import mssql from "mssql";
import { afterAll, beforeAll, describe } from "vitest";
import { destinationSuite } from "./conformance";
import { MssqlDestination } from "./mssql";
import { parseTarget } from "./target";

const url = process.env.MSSQL_URL;
if (!url) console.warn("SKIPPED: SQL Server integration tests: MSSQL_URL is not set");

const schema = `dvx_test_${Date.now().toString(36)}`;
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
    const tables = await query(`select name from sys.tables where schema_id = schema_id('${schema}')`);
    for (const t of tables) await query(`drop table ${b(schema)}.${b(String(t.name))}`);
    await query(`drop schema if exists ${b(schema)}`);
    await pool.close();
  });

  destinationSuite(
    "mssql",
    async (o) => new MssqlDestination(config, { ...o, schemaName: schema }, "mssql-under-test"),
    () => ({
      hasWidths: true,
      rows: (t) => query(`select * from ${b(schema)}.${b(t)}`),
      columns: async (t) =>
        (await query(`select name from sys.columns where object_id = object_id('${b(schema)}.${b(t).replace(/'/g, "''")}') order by column_id`)).map((r) => String(r.name)),
      width: async (t, c) => {
        const [r] = await query(
          `select max_length from sys.columns where object_id = object_id('${b(schema)}.${b(t).replace(/'/g, "''")}') and name = '${c.replace(/'/g, "''")}'`,
        );
        return r.max_length === -1 ? null : Number(r.max_length) / 2;
      },
      poison: async (t, id) => {
        await query(`create trigger ${b(schema)}.${b(`poison_${t}`)} on ${b(schema)}.${b(t)} after insert, update as
          if exists (select 1 from inserted where Id = '${id}') throw 50001, 'poison record', 1;`);
      },
    }),
  );
});
