#!/usr/bin/env node
// `npm run prisma:generate`: writes prisma/postgres/schema.prisma from prisma/schema.prisma, then
// generates both Prisma clients (a generated client is bound to one provider: its query compiler
// and SQL flavour): lib/generated/prisma (SQLite) and lib/generated/prisma-pg (PostgreSQL).
// lib/db.ts picks one at runtime from DATABASE_URL. Offline: the JS engine downloads nothing
// as long as the URL matches the schema's provider (hence the placeholder URLs below).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { root, sourceSchema, writePostgresSchema } from "./postgres-schema.mjs";

const clients = [
  { schema: "prisma/schema.prisma", url: "file:./generate-placeholder.db", out: "lib/generated/prisma/client.ts" },
  { schema: "prisma/postgres/schema.prisma", url: "postgresql://localhost:5432/generate-placeholder", out: "lib/generated/prisma-pg/client.ts" },
];

/** Generates whatever is missing or older than prisma/schema.prisma; `force` regenerates all. */
export function generateClients({ force = false, log = console.log } = {}) {
  if (writePostgresSchema()) log("[prisma] wrote prisma/postgres/schema.prisma");
  const source = fs.statSync(sourceSchema).mtimeMs;
  for (const c of clients) {
    const out = path.join(root, c.out);
    if (!force && fs.existsSync(out) && fs.statSync(out).mtimeMs >= source) continue;
    log(`[prisma] generating ${path.dirname(c.out)}`);
    const r = spawnSync(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "generate", "--schema", c.schema], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, DATABASE_URL: c.url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    });
    if (r.status !== 0) throw new Error(`prisma generate --schema ${c.schema} failed`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  try {
    generateClients({ force: !process.argv.includes("--if-stale") });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
