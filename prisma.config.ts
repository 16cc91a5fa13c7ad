import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { databaseUrl } from "./lib/config/paths";
import { isPostgresUrl } from "./lib/store/provider";
import { StorePrismaPg } from "./lib/store/pg-prisma-config";

// The schema reads DATABASE_URL; default it here so every Prisma command finds the store.
const url = (process.env.DATABASE_URL ||= databaseUrl());
// DATABASE_URL picks the provider: PostgreSQL uses the schema generated from prisma/schema.prisma
// (scripts/prisma-generate.mjs) and its own migration history.
const postgres = isPostgresUrl(url);
const dir = postgres ? path.join("prisma", "postgres") : "prisma";

// The JS schema engine keeps every Prisma command offline: the classic engine
// downloads a binary, which this project's install must never need.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(dir, "schema.prisma"),
  migrations: { path: path.join(dir, "migrations") },
  adapter: async () => (postgres ? new StorePrismaPg(url) : new PrismaBetterSQLite3({ url })),
});
