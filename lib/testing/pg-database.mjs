#!/usr/bin/env node
// Creates or drops a throwaway PostgreSQL database, synchronously callable (spawned) by test
// helpers whose API is synchronous (makeStore).  node pg-database.mjs create|drop|ping SERVER_URL [NAME]
import pg from "pg";

const [cmd, server, name] = process.argv.slice(2);
const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 });
const quoted = `"${String(name).replace(/"/g, '""')}"`;
try {
  await client.connect();
  if (cmd === "create") await client.query(`create database ${quoted}`);
  else if (cmd === "drop") await client.query(`drop database if exists ${quoted} with (force)`);
  else if (cmd !== "ping") throw new Error(`unknown command ${cmd}`);
} catch (err) {
  console.error(err.message);
  process.exitCode = 1;
} finally {
  await client.end().catch(() => undefined);
}
