// Entry for a worker process: `startWorker` on the store at DATABASE_URL/DATA_DIR, structured logs
// on stdout (pino; pretty in a terminal). SIGTERM/SIGINT stop it gracefully: each runner finishes
// the page in flight and saves its checkpoint, then the leases are released so a peer takes the
// profiles over at its next poll. A second signal exits at once.
// Run: `node dist/worker/worker.mjs` (compiled by scripts/build-node.mjs; `npm start` does), or from
// the sources `node --import tsx lib/sync/worker.ts` (`npm run dev` does).
import { startAlertEvaluator } from "../alerts/evaluator";
import { createDb } from "../db";
import { checkEncryptionKey } from "../secrets/key-check";
import { migrateStore } from "../store/migrate";
import { startWorker } from "./supervisor";
import type { Logger } from "./table-pipeline";
import { createWorkerLogger, engineLogger } from "./worker-log";

export { startWorker } from "./supervisor";

export const consoleLog: Logger = {
  info: (m) => console.log(`${new Date().toISOString()} ${m}`),
  warn: (m) => console.warn(`${new Date().toISOString()} warn ${m}`),
  error: (m) => console.error(`${new Date().toISOString()} error ${m}`),
};

export async function main(): Promise<void> {
  const logger = createWorkerLogger();
  migrateStore();
  const db = createDb();
  try {
    await checkEncryptionKey(db);
  } catch (err) {
    logger.error((err as Error).message);
    await db.$disconnect();
    process.exitCode = 1;
    return;
  }
  const role = process.env.DX_PROCESS_ROLE === "web+worker" ? "web+worker" : "worker";
  const worker = startWorker({
    db,
    role,
    log: engineLogger(logger),
    logFor: (p) => engineLogger(logger, p),
  });
  // Alerts are evaluated here, in the worker, never in a web request.
  const alerts = startAlertEvaluator(db, { log: engineLogger(logger) });
  logger.info({ role }, "sync worker started");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  const again = () => {
    logger.warn("second signal: exiting without waiting");
    process.exit(1);
  };
  process.once("SIGINT", again);
  process.once("SIGTERM", again);
  logger.info("sync worker stopping: finishing the pages in flight, then releasing the leases");
  await alerts.stop();
  await worker.stop();
  await db.$disconnect();
  logger.info("sync worker stopped");
}

const invoked = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (invoked) void main();
