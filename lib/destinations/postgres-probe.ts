// The conformance suite's view of a PostgreSQL target (schema "dbo" of a test database), shared by
// the test files that run the suite on each PostgreSQL write path.
import type { TestPostgres } from "../testing/postgres";
import type { TargetProbe } from "./conformance";

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

export function postgresProbe(pg: TestPostgres): TargetProbe {
  return {
    hasWidths: true,
    rows: (t) => pg.admin(`select * from "dbo".${q(t)}`),
    columns: async (t) =>
      (await pg.admin<{ column_name: string }>(
        "select column_name from information_schema.columns where table_schema = 'dbo' and table_name = $1 order by ordinal_position",
        [t],
      )).map((r) => r.column_name),
    width: async (t, c) =>
      (await pg.admin<{ w: number | null }>(
        "select character_maximum_length as w from information_schema.columns where table_schema = 'dbo' and table_name = $1 and column_name = $2",
        [t, c],
      ))[0].w,
    poison: async (t, id) => {
      await pg.admin(`create or replace function dbo.poison() returns trigger language plpgsql as $$
        begin if new."Id" = '${id}' then raise exception 'poison record %', new."Id"; end if; return new; end $$`);
      await pg.admin(`create trigger poison before insert or update on "dbo".${q(t)} for each row execute function dbo.poison()`);
    },
  };
}
