#!/usr/bin/env node
// `npm run db:migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with
// what prisma/schema.prisma adds to the migrations already there.
// `prisma migrate dev` and `migrate diff --from-migrations` need a shadow database the JS schema
// engine cannot create, so: apply the migrations to a scratch SQLite file, pull its schema, and
// diff that datamodel against ours (datamodel-to-datamodel works offline).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name>   (lowercase letters, digits, _)");
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, "..");
const prisma = path.join(root, "node_modules", "prisma", "build", "index.js");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "dx-migration-"));
const url = `file:${path.join(scratch, "scratch.db")}`;
const env = { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
const run = (args) => execFileSync(process.execPath, [prisma, ...args], { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

try {
  run(["migrate", "deploy"]);
  const pulled = path.join(scratch, "schema.prisma");
  fs.writeFileSync(pulled, 'datasource db {\n  provider = "sqlite"\n  url      = env("DATABASE_URL")\n}\n');
  run(["db", "pull", "--schema", pulled]);
  const sql = run(["migrate", "diff", "--from-schema-datamodel", pulled, "--to-schema-datamodel", "prisma/schema.prisma", "--script"]);
  if (!/\b(CREATE|ALTER|DROP|INSERT|PRAGMA)\b/.test(sql)) {
    console.log("prisma/schema.prisma matches the migrations: nothing to write.");
    process.exit(0);
  }
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dir = path.join(root, "prisma", "migrations", `${stamp}_${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), sql);
  console.log(`wrote ${path.relative(root, dir)}/migration.sql — review it, then commit it.`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
