import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// One fresh DATA_DIR per run. The runner sets it once; its worker processes inherit it through
// the environment, so they all see the same store as the web server.
process.env.E2E_DATA_DIR ||= fs.mkdtempSync(path.join(os.tmpdir(), "dvx-e2e-"));
const port = Number(process.env.E2E_PORT || 3100);
const emulatorPort = Number(process.env.E2E_EMULATOR_PORT || 5655);
const baseURL = `http://127.0.0.1:${port}`;
process.env.E2E_BASE_URL = baseURL;
process.env.E2E_EMULATOR_URL = `http://127.0.0.1:${emulatorPort}`;
// Per port, so two runs side by side (different E2E_PORT) do not sign each other out.
process.env.E2E_ADMIN_STATE = `e2e/.auth/admin-${port}.json`;

export default defineConfig({
  testDir: "e2e",
  // One server with one SQLite store, two cores: tests run one at a time and seed their own data.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: process.env.E2E_JSON_REPORT || "playwright-report/results.json" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
    },
  },
  projects: [
    { name: "setup", testMatch: /.*\.setup\.ts/ },
    { name: "chromium", dependencies: ["setup"], testMatch: /.*\.spec\.ts/, use: { storageState: process.env.E2E_ADMIN_STATE } },
  ],
  webServer: {
    // The product's own start command on a fresh store: migrations, first admin, emulator, worker.
    command: "node scripts/start.mjs",
    url: `${baseURL}/api/health`,
    // Includes a production build when none is current (scripts/test.mjs builds first).
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATA_DIR: process.env.E2E_DATA_DIR,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      NEXTAUTH_URL: baseURL,
      ADMIN_EMAIL: "admin@e2e.test",
      ADMIN_PASSWORD: "e2e-admin-password",
      DATAVERSE_EMULATOR: "on",
      EMULATOR_PORT: String(emulatorPort),
      EMULATOR_RECORDS: process.env.E2E_EMULATOR_RECORDS || "300",
      WORKER_POLL_MS: "500",
      // The alert evaluator's period (default 30 s): e2e/alerts.spec.ts waits for it.
      ALERT_EVAL_MS: "1000",
      // One admin runs every spec back to back: the per-user limit of connection tests and table
      // listings (lib/auth/outbound-limit.ts, tested in Vitest) would slow the suite, not test it.
      OUTBOUND_RATE_LIMIT: "1000/60",
      // Specs seed failure-log entries at fixed past dates (e2e/failure-viewer.spec.ts, January 2026):
      // retention (RETENTION_DAYS, 90 days; tested in lib/sync/retention.test.ts) would prune them.
      RETENTION_DAYS: "0",
      ...(process.env.NEXT_DIST_DIR ? { NEXT_DIST_DIR: process.env.NEXT_DIST_DIR } : {}),
    },
  },
});
