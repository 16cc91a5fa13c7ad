// The conformance suite with every batch through COPY into staging + merge (direct COPY off):
// the path every batch meeting existing rows takes. Its own test database: the suite uses "dbo".
import { afterAll, describe } from "vitest";
import { usePostgres } from "../testing/postgres";
import { destinationSuite } from "./conformance";
import { PostgresDestination } from "./postgres";
import { postgresProbe } from "./postgres-probe";

const pg = await usePostgres();
afterAll(() => pg.cleanup());

describe.skipIf(!pg.available)("postgres COPY path, staging only", () => {
  destinationSuite(
    "postgres (COPY forced, staging only)",
    async (o) => new PostgresDestination({ connectionString: pg.url }, o, "test", { copyMinRows: 1, directCopy: false }),
    () => postgresProbe(pg),
  );
});
