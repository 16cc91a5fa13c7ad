// Entry for the portal's worker process: `startWorker` from the store at DATABASE_URL/DATA_DIR,
// logging to stdout, stopping cleanly on SIGINT/SIGTERM. Run: `npx tsx lib/sync/worker.ts`.
import { createDb } from "../db";
import { migrateStore } from "../store/migrate";
import { startWorker } from "./supervisor";
import type { Logger } from "./table-pipeline";

export { startWorker } from "./supervisor";

export const consoleLog: Logger = {
  info: (m) => console.log(`${new Date().toISOString()} ${m}`),
  warn: (m) => console.warn(`${new Date().toISOString()} warn ${m}`),
  error: (m) => console.error(`${new Date().toISOString()} error ${m}`),
};

export async function main(): Promise<void> {
  migrateStore();
  const db = createDb();
  const worker = startWorker({ db, log: consoleLog, pollMs: Number(process.env.WORKER_POLL_MS ?? 2000) });
  consoleLog.info("sync worker started");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  consoleLog.info("sync worker stopping");
  await worker.stop();
  await db.$disconnect();
}

const invoked = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (invoked) void main();
