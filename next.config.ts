import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // NEXT_DIST_DIR lets two builds (e.g. parallel test runs) live side by side in one checkout.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Native and driver packages stay plain Node requires instead of being bundled.
  serverExternalPackages: [
    "better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg", "pg-copy-streams", "mssql", "tedious", "bcryptjs",
    "@duckdb/node-api", "@duckdb/node-bindings", "@azure/storage-blob", "pino", "pino-pretty", "prom-client",
  ],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
