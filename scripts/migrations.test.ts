// CI check: each migration history, replayed on a scratch database (a SQLite file; a throwaway
// PostgreSQL database), gives exactly prisma/schema.prisma. A schema change without its
// migration, or a SQLite migration without its PostgreSQL twin, fails here with the command that
// writes what is missing.
import { describe, expect, it } from "vitest";
import { hasChanges, postgresHistoryDiff, postgresServer, sqliteHistoryDiff } from "./migration-tools.mjs";

const server = await postgresServer();
if (!server.url) console.warn(`SKIPPED: PostgreSQL migration history check: no server (${server.reason}); set PG_URL`);

describe("migration histories match prisma/schema.prisma", () => {
  it("SQLite: prisma/migrations", () => {
    const sql = sqliteHistoryDiff();
    expect(hasChanges(sql), `prisma/migrations lacks:\n${sql}\nWrite it with: npm run db:migration -- <name>`).toBe(false);
  }, 120_000);

  it.skipIf(!server.url)("PostgreSQL: prisma/postgres/migrations", () => {
    const sql = postgresHistoryDiff(server.url as string);
    expect(hasChanges(sql), `prisma/postgres/migrations lacks:\n${sql}\nWrite it with: npm run db:migration -- --postgres`).toBe(false);
  }, 120_000);
});
