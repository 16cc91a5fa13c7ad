#!/usr/bin/env node
// `npm start`: prepares what the portal needs on a fresh clone (Prisma client, store migrations,
// first admin, production build), then runs the web server, the sync worker and — when no real
// Dataverse environment is registered — the local Dataverse emulator with its demo organization.
// `npm run dev` does the same with `next dev` instead of a production build.
// Roles: `npm start -- --web` runs only the portal and REST API; `npm start -- --worker` only a
// sync worker. Any number of each may share one store (PostgreSQL across hosts; SQLite on one host).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { buildNode, entryFile, nodeBuildIsCurrent } from "./build-node.mjs";
import { generateClients } from "./prisma-generate.mjs";
import { workerNodeFlags } from "./worker-heap.mjs";

const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
const dev = process.argv.includes("--dev");
const webOnly = process.argv.includes("--web");
const workerOnly = process.argv.includes("--worker");
if (webOnly && workerOnly) {
  console.error("[start] --web and --worker exclude each other (without either, both run)");
  process.exit(2);
}
const runWeb = !workerOnly;
const runWorker = !webOnly;
const env = { ...process.env };
env.DATA_DIR = path.resolve(env.DATA_DIR || "./data");
env.PORT ||= "3000";
env.HOSTNAME ||= "0.0.0.0";
env.NEXTAUTH_URL ||= `http://localhost:${env.PORT}`;
env.EMULATOR_PORT ||= "5555";
env.EMULATOR_RECORDS ||= "5000";
// Shown on the Workers page: a worker started beside the portal, or on its own.
env.DX_PROCESS_ROLE = runWeb ? "web+worker" : "worker";
Object.assign(process.env, env);
const distDir = path.resolve(env.NEXT_DIST_DIR || ".next");

const log = (msg) => console.log(`[start] ${msg}`);
const redact = (url) => String(url).replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
// Once children run, failing must stop them too, or they would outlive this script.
let stopAll = null;
const fail = (msg) => {
  console.error(`[start] ${msg}`);
  if (stopAll) void stopAll(1);
  else process.exit(1);
};
// The worker's heap cap (WORKER_MAX_HEAP_MB), checked before anything starts.
let workerFlags = [];
try {
  workerFlags = workerNodeFlags(env);
} catch (err) {
  fail(err.message);
}
const node = (args, opts = {}) => spawnSync(process.execPath, args, { stdio: "inherit", env, ...opts });

// 1. Prisma clients (SQLite and PostgreSQL): generated from the schema, offline (JS engine),
// when missing or older.
try {
  generateClients({ force: false, log });
} catch (err) {
  fail(err.message);
}

// 2. The worker, the CLI and this script's bootstrap compiled to JavaScript (dist/) when missing
// or older than the sources: production runs no TypeScript loader. `--dev` runs the sources
// through tsx (a development dependency) instead.
if (!dev && !nodeBuildIsCurrent()) {
  log("compiling the worker and the CLI (dist/)");
  await buildNode({ log }).catch((err) => fail(`compiling the worker and the CLI failed: ${err.message}`));
}

// 3. Store, first admin.
let bootstrap;
if (dev) {
  const { register } = await import("tsx/esm/api");
  register();
  bootstrap = await import("../lib/portal/bootstrap.ts");
} else {
  bootstrap = await import(pathToFileURL(entryFile("bootstrap")).href);
}
const { prepareStore, emulatorMode, shouldRunEmulator, registerDemoOrganization } = bootstrap;
let mode;
try {
  mode = emulatorMode();
} catch (err) {
  fail(err.message);
}
const store = await prepareStore().catch((err) => fail(err.message));
log(`portal store ready in ${env.DATA_DIR}`);
if (store.admin.kind === "generated") {
  // Printed as soon as it exists: if a later step fails, the password must not be lost.
  log(`first start: created the admin ${store.admin.email} with password ${store.admin.password}`);
  log("this password is shown only now; keep it (or set ADMIN_EMAIL / ADMIN_PASSWORD before the first start)");
}

// 4. Production build of the portal when missing or older than the sources.
function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "generated" || entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}
if (!dev && runWeb) {
  const buildId = path.join(distDir, "BUILD_ID");
  const sources = Math.max(...["app", "components", "lib"].map((d) => newestSource(path.join(root, d))), fs.statSync("package.json").mtimeMs);
  if (!fs.existsSync(buildId) || fs.statSync(buildId).mtimeMs < sources) {
    log("building the portal (first start, or the sources changed); this takes a few minutes");
    if (node(["node_modules/next/dist/bin/next", "build"]).status !== 0) fail("next build failed");
  }
}

// 5. Children. If the web server stops, everything stops; a crashed worker or emulator is restarted.
const children = new Map();
let stopping = false;
function startChild(name, args, { restart, childEnv = env }) {
  if (stopping) return null;
  const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"], env: childEnv });
  children.set(name, child);
  child.on("exit", (code, signal) => {
    children.delete(name);
    if (stopping) return;
    if (!restart) {
      log(`${name} stopped (${signal ?? `exit ${code}`}); stopping`);
      void stop(code ?? 1);
      return;
    }
    log(`${name} stopped (${signal ?? `exit ${code}`}); restarting in 2 s`);
    setTimeout(() => !stopping && startChild(name, args, { restart }), 2000);
  });
  return child;
}
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const exits = [...children.values()].map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve() : c.once("exit", resolve))));
  for (const c of children.values()) c.kill("SIGTERM");
  // A worker finishes the page in flight and saves its checkpoint before it exits: give it time.
  const timer = setTimeout(() => [...children.values()].forEach((c) => c.kill("SIGKILL")), Number(env.STOP_GRACE_MS || 30_000));
  await Promise.all(exits);
  clearTimeout(timer);
  await store.db.$disconnect().catch(() => {});
  process.exit(code);
}
stopAll = stop;
// After a failure the start-up sequence must not go on: wait here for stop() to exit the process.
const unlessStopping = () => (stopping ? new Promise(() => {}) : undefined);
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

async function waitFor(url, init, what, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, init);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (stopping) return;
    if (Date.now() > until) fail(`${what} did not come up at ${url} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const emulatorToken = env.EMULATOR_TOKEN || "emulator-token";
if (runWeb && runWorker && shouldRunEmulator(mode, store.realOrganizations)) {
  const url = `http://127.0.0.1:${env.EMULATOR_PORT}`;
  startChild("emulator", ["bin/dataverse-export.mjs", "emulator", "--port", env.EMULATOR_PORT, "--records", env.EMULATOR_RECORDS, "--token", emulatorToken], { restart: true });
  await waitFor(`${url}/api/data/v9.2/WhoAmI`, { headers: { authorization: `Bearer ${emulatorToken}` } }, "the Dataverse emulator");
  await unlessStopping();
  await registerDemoOrganization(store.db, url, emulatorToken).catch((err) => fail(`could not register the demo organization: ${err.message}`));
  await unlessStopping();
  log(`Dataverse emulator with the demo organization "Contoso (demo)" at ${url}`);
} else if (runWeb && runWorker) {
  log(mode === "off" ? "Dataverse emulator off (DATAVERSE_EMULATOR=off)" : "Dataverse emulator not started: a real Dataverse environment is registered (DATAVERSE_EMULATOR=on starts it anyway)");
}

if (runWorker) {
  startChild("worker", [...workerFlags, ...(dev ? ["--import", "tsx", "lib/sync/worker.ts"] : [entryFile("worker")])], { restart: !workerOnly });
}
if (workerOnly) {
  log(`sync worker running (store ${redact(process.env.DATABASE_URL || env.DATA_DIR)}); Ctrl-C or SIGTERM stops it gracefully`);
  await new Promise(() => {});
}
const nextBin = "node_modules/next/dist/bin/next";
// peer-address.mjs gives route handlers the socket's address (the sign-in throttle's client IP).
// `next dev` serves from a forked child that keeps NODE_OPTIONS but not our arguments.
const peerAddress = "--import=./scripts/peer-address.mjs";
const webEnv = { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, peerAddress].filter(Boolean).join(" ") };
startChild("web", dev ? [nextBin, "dev", "-p", env.PORT, "-H", env.HOSTNAME] : [nextBin, "start", "-p", env.PORT, "-H", env.HOSTNAME], { restart: false, childEnv: webEnv });
const localHost = ["0.0.0.0", "::", ""].includes(env.HOSTNAME) ? "127.0.0.1" : env.HOSTNAME.includes(":") ? `[${env.HOSTNAME}]` : env.HOSTNAME;
// scope=store: the portal is up when it reaches its store (workers may run elsewhere, or start later).
await waitFor(`http://${localHost}:${env.PORT}/api/health?scope=store`, {}, "the portal", dev ? 300_000 : 120_000);

await unlessStopping();
const shown = `http://localhost:${env.PORT}`;
log(`portal ready at ${shown}`);
if (store.admin.kind === "generated") {
  log(`sign in as ${store.admin.email} with the password printed above`);
} else if (store.admin.kind === "from-env") {
  log(`sign in as ${store.admin.email} with ADMIN_PASSWORD`);
} else {
  log("sign in with your portal account");
}
