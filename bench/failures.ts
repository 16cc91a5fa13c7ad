// Failure-log queries at scale: fills a fresh store with N failure entries (default 1,000,000) and
// prints the time of the queries the failure viewer and the API make. Figures, not a test.
//   node --conditions=react-server --import tsx bench/failures.ts [--entries N]
// (react-server: the services import "server-only", which allows only that condition)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";

const { values } = parseArgs({ options: { entries: { type: "string", default: "1000000" } } });
const entries = Number(values.entries);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-bench-failures-"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;

const { migrateStore } = await import("../lib/store/migrate");
const { createDb } = await import("../lib/db");
const { queryFailures } = await import("../lib/profiles/failures");
migrateStore();
const db = createDb();
const org = await db.organization.create({ data: { name: "bench", url: "https://bench.example.com" } });
const profiles = await Promise.all(["p1", "p2"].map((name) => db.profile.create({ data: { name, organizationId: org.id, destinationType: "sqlite" } })));

// Bulk-fill with plain SQL: the point is the read side.
const raw = new Database(path.join(dir, "portal.db"));
const insert = raw.prepare('INSERT INTO "Failure" (profileId, entity, recordId, notificationTime, changeType, reason) VALUES (?, ?, ?, ?, ?, ?)');
const tables = ["account", "contact", "lead", "opportunity"];
const types = ["New", "Update", "Delete"];
const t0 = Date.UTC(2026, 0, 1);
// Prisma's SQLite adapter stores DateTime as ISO text with an explicit offset.
const isoText = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");
const guid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
const fill = raw.transaction((from: number, to: number) => {
  for (let i = from; i < to; i++) {
    insert.run(profiles[i % 2].id, tables[i % 4], guid(i), isoText(t0 + i * 1000), types[i % 3], i % 1000 === 0 ? `Violation of PRIMARY KEY constraint ${i}` : `String or binary data would be truncated ${i}`);
  }
});
const started = Date.now();
for (let i = 0; i < entries; i += 50_000) fill(i, Math.min(entries, i + 50_000));
raw.close();
console.log(`filled ${entries.toLocaleString()} entries in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const actor = { id: "bench", email: "bench@example.com", name: null, role: "viewer" as const };
async function time(label: string, query: Record<string, unknown>) {
  await queryFailures(db, actor, query); // warm
  const runs = 5;
  const t = performance.now();
  let n = 0;
  for (let i = 0; i < runs; i++) n = (await queryFailures(db, actor, query)).entries.length;
  console.log(`${label.padEnd(48)} ${((performance.now() - t) / runs).toFixed(1).padStart(8)} ms  (${n} rows)`);
}

await time("newest page, all profiles", {});
await time("newest page, one profile", { profileId: profiles[0].id });
await time("deep page (cursor in the middle)", { cursor: String(Math.floor(entries / 2)) });
await time("one profile + table", { profileId: profiles[1].id, entity: "contact" });
await time("change type + time range", { changeType: "Delete", from: new Date(t0 + entries * 250).toISOString(), to: new Date(t0 + entries * 500).toISOString() });
await time("search by record id", { search: guid(Math.floor(entries / 3)) });
await time("search reason text (common)", { search: "truncated" });
await time("search reason text (rare: 1 in 1000)", { search: "PRIMARY KEY" });
await db.$disconnect();
fs.rmSync(dir, { recursive: true, force: true });
