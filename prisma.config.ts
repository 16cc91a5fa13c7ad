import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { databaseUrl } from "./lib/config/paths";

// The schema reads DATABASE_URL; default it here so every Prisma command finds the store.
process.env.DATABASE_URL ||= databaseUrl();

// The JS schema engine keeps every Prisma command offline: the classic engine
// downloads a binary, which this project's install must never need.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => new PrismaBetterSQLite3({ url: databaseUrl() }),
});
