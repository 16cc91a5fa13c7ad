// The PostgreSQL store's migrations: a fresh database is migrated, and several processes that
// start together (web + workers on several hosts) migrate it once without failing.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { usePostgres } from "../testing/postgres";
import { createDb } from "../db";
import { migrateStore } from "./migrate";

const root = path.resolve(import.meta.dirname, "../..");
const prismaCli = createRequire(path.join(root, "package.json")).resolve("prisma/build/index.js");
const pgMigrations = fs.readdirSync(path.join(root, "prisma/postgres/migrations")).filter((d) => /^\d{14}_/.test(d)).sort();

const fresh = await usePostgres();
const concurrent = await usePostgres();
afterAll(async () => {
  await fresh.cleanup();
  await concurrent.cleanup();
});

function run(args: string[], url: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

describe.skipIf(!fresh.available)("PostgreSQL store migrations", () => {
  it("migrateStore applies prisma/postgres/migrations; migrate status then reports it up to date; the client works", async () => {
    migrateStore(fresh.url);
    const applied = await fresh.admin<{ migration_name: string }>("select migration_name from _prisma_migrations where finished_at is not null order by 1");
    expect(applied.map((r) => r.migration_name)).toEqual(pgMigrations);
    const status = await run([prismaCli, "migrate", "status"], fresh.url);
    expect(status.output).toContain("Database schema is up to date");
    expect(status.code).toBe(0);
    const db = createDb(fresh.url);
    try {
      const org = await db.organization.create({ data: { name: "o", url: "https://o.example" } });
      const profile = await db.profile.create({ data: { name: "p", organizationId: org.id, destinationType: "sqlite" } });
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await db.failure.create({ data: { profileId: profile.id, entity: "account", recordId: `${i}`, changeType: "New", reason: "r" } })).id);
      expect(ids).toEqual([ids[0], ids[0] + 1, ids[0] + 2]);
    } finally {
      await db.$disconnect();
    }
    // Two Prisma CLI runs (migrate deploy, then status): 20–30 s on a loaded 2-core machine.
  }, 180_000);

  it("several migrators started at once on a fresh database: all succeed, each migration applied once", async () => {
    const N = 3;
    const results = await Promise.all(
      Array.from({ length: N }, () => run([path.join(root, "lib/store/deploy-locked.mjs"), prismaCli, concurrent.url], concurrent.url)),
    );
    for (const r of results) expect(r.code, r.output).toBe(0);
    const rows = await concurrent.admin<{ migration_name: string; n: string }>(
      "select migration_name, count(*)::text as n from _prisma_migrations where finished_at is not null and rolled_back_at is null group by 1 order by 1",
    );
    expect(rows).toEqual(pgMigrations.map((m) => ({ migration_name: m, n: "1" })));
    // Exactly one of them found work to do.
    expect(results.filter((r) => /following migration\(s\) have been applied/i.test(r.output))).toHaveLength(1);
  }, 180_000);
});
