#!/usr/bin/env node
// `npm test`: every test — Vitest (unit + integration) and Playwright (browser, against the
// production build) — then one line `N passed, N failed` summed over both.
//   --unit-only   Vitest only        --e2e-only   Playwright only
// Extra arguments after `--` go to both runners (e.g. a file filter).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateClients } from "./prisma-generate.mjs";

const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const args = process.argv.slice(2);
const unitOnly = args.includes("--unit-only");
const e2eOnly = args.includes("--e2e-only");
const passThrough = args.includes("--") ? args.slice(args.indexOf("--") + 1) : [];
const reports = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-test-reports-"));
const say = (msg) => console.log(`\n[test] ${msg}`);
const run = (cmd, cmdArgs, env = {}) =>
  spawnSync(cmd, cmdArgs, { stdio: "inherit", env: { ...process.env, ...env } }).status ?? 1;

const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = [];

function prepareClient() {
  generateClients({ force: false, log: say });
}

function ensureChromium() {
  const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (fs.existsSync(chromium)) return true;
  if (process.getuid?.() !== 0) {
    console.error(`[test] The browser tests need Chromium at ${chromium}. Install Debian's package: sudo apt-get install -y chromium (or set CHROMIUM_PATH).`);
    return false;
  }
  say("installing Debian's Chromium for the browser tests (apt-get)");
  const aptEnv = { DEBIAN_FRONTEND: "noninteractive" };
  if (run("apt-get", ["update", "-qq"], aptEnv) !== 0 || run("apt-get", ["install", "-y", "-qq", "chromium"], aptEnv) !== 0) {
    console.error("[test] apt-get could not install chromium; the browser tests cannot run.");
    return false;
  }
  return fs.existsSync(chromium);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

function vitest() {
  say("Vitest: unit and integration tests");
  const out = path.join(reports, "vitest.json");
  const status = run(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...passThrough]);
  const report = readJson(out);
  if (!report) {
    broken.push(`Vitest exited ${status} without a report`);
    totals.failed += 1;
    return;
  }
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
  // A file that fails to load has no failed test but must still fail the run.
  const failedFiles = report.testResults.filter((f) => f.status === "failed" && f.assertionResults.every((a) => a.status !== "failed"));
  for (const f of failedFiles) {
    broken.push(`Vitest could not run ${path.relative(root, f.name)}: ${(f.message || "").split("\n")[0]}`);
    totals.failed += 1;
  }
  if (status !== 0 && report.numFailedTests === 0 && failedFiles.length === 0) {
    broken.push(`Vitest exited ${status}`);
    totals.failed += 1;
  }
}

function playwright() {
  say("Playwright: browser tests against the production build");
  if (!ensureChromium()) {
    broken.push("Chromium is missing: the browser tests did not run");
    totals.failed += 1;
    return;
  }
  say("building the portal (next build)");
  if (run(process.execPath, ["node_modules/next/dist/bin/next", "build"]) !== 0) {
    broken.push("next build failed: the browser tests did not run");
    totals.failed += 1;
    return;
  }
  const out = path.join(reports, "playwright.json");
  // The server's store for this run; kept only when something failed, to look at.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-e2e-"));
  const status = run(process.execPath, ["node_modules/@playwright/test/cli.js", "test", ...passThrough], { E2E_JSON_REPORT: out, E2E_DATA_DIR: dataDir });
  if (status === 0) fs.rmSync(dataDir, { recursive: true, force: true });
  else say(`the browser tests' portal store is kept in ${dataDir}`);
  const report = readJson(out);
  if (!report?.stats) {
    broken.push(`Playwright exited ${status} without a report`);
    totals.failed += 1;
    return;
  }
  const { expected, unexpected, flaky, skipped } = report.stats;
  totals.passed += expected + flaky;
  totals.failed += unexpected;
  totals.skipped += skipped;
  if (flaky) say(`${flaky} browser test(s) passed only on retry (flaky)`);
  for (const e of report.errors ?? []) broken.push(`Playwright: ${(e.message || "").split("\n")[0]}`);
  if (status !== 0 && unexpected === 0) {
    broken.push(`Playwright exited ${status}`);
    totals.failed += 1;
  }
}

try {
  prepareClient();
  if (!e2eOnly) vitest();
  if (!unitOnly) playwright();
} catch (err) {
  broken.push(err.message);
  totals.failed += 1;
}
fs.rmSync(reports, { recursive: true, force: true });
for (const b of broken) console.error(`[test] ${b}`);
if (totals.skipped) say(`${totals.skipped} test(s) skipped (their suites print why: e.g. no MSSQL_URL)`);
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`);
process.exit(totals.failed > 0 ? 1 : 0);
