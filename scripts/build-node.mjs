#!/usr/bin/env node
// Compiles the processes that run outside Next.js — the sync worker, the CLI (and the emulator it
// starts) and the start script's store bootstrap — into plain JavaScript under dist/, so that
// production runs no TypeScript loader (`npm run build` runs this after `next build`; `npm start`
// runs it when dist/ is missing or older than the sources). One esbuild bundle per entry (our
// code inlined; every npm package, native or not, stays an import from node_modules).
//   node scripts/build-node.mjs [--out DIR]
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

export const root = path.resolve(import.meta.dirname, "..");
export const distDir = path.join(root, "dist");
const STAMP = "BUILD";

export const ENTRIES = {
  worker: "lib/sync/worker.ts",
  cli: "lib/cli/main.ts",
  bootstrap: "lib/portal/bootstrap.ts",
};

/** Newest modification time under the inputs of the bundles (generated Prisma clients included). */
function newestInput() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const p = path.join(dir, entry.name);
      newest = Math.max(newest, entry.isDirectory() ? walk(p) || 0 : fs.statSync(p).mtimeMs);
    }
  };
  for (const dir of ["lib", "emulator"]) walk(path.join(root, dir));
  for (const file of ["package.json", "tsconfig.json", "scripts/build-node.mjs"]) newest = Math.max(newest, fs.statSync(path.join(root, file)).mtimeMs);
  return newest;
}

/** The compiled entry `name` (worker, cli, bootstrap). */
export function entryFile(name, out = distDir) {
  return path.join(out, name, `${name}.mjs`);
}

/**
 * esbuild options for one of our Node processes: an ESM bundle split at its dynamic imports, so a
 * target's driver (and the npm packages only it imports) still loads when a profile first needs
 * it, as from the sources. Every npm package stays an import resolved from node_modules at run
 * time: native modules (better-sqlite3, @duckdb/*), Prisma's runtime and wasm, drivers. Only our
 * code is bundled. The benchmarks compile themselves with these too (bench/worker-flags.ts).
 * @param {Record<string, string>} entryPoints
 * @param {string} outdir
 * @returns {import("esbuild").BuildOptions}
 */
export function nodeBundleOptions(entryPoints, outdir) {
  return {
    absWorkingDir: root,
    entryPoints,
    outdir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    logLevel: "warning",
  };
}

/** True when dist/ holds every bundle and is newer than every source it was built from. */
export function nodeBuildIsCurrent(out = distDir) {
  const stamp = path.join(out, STAMP);
  if (!fs.existsSync(stamp) || Object.keys(ENTRIES).some((name) => !fs.existsSync(entryFile(name, out)))) return false;
  return fs.statSync(stamp).mtimeMs >= newestInput();
}

/** Builds into a fresh folder beside `out`, then swaps it in: a reader never sees half a build. */
export async function buildNode({ out = distDir, log = (m) => console.log(`[build-node] ${m}`) } = {}) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    throw new Error("esbuild is not installed: install the development dependencies (npm ci) and run `npm run build`");
  }
  const started = Date.now();
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    for (const [name, file] of Object.entries(ENTRIES)) {
      await esbuild.build(nodeBundleOptions({ [name]: path.join(root, file) }, path.join(tmp, name)));
    }
    fs.writeFileSync(path.join(tmp, STAMP), `${new Date().toISOString()}\n`);
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  log(`compiled ${Object.keys(ENTRIES).map((n) => path.relative(root, entryFile(n, out))).join(", ")} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const i = process.argv.indexOf("--out");
  await buildNode(i > 0 ? { out: path.resolve(process.argv[i + 1]) } : {}).catch((err) => {
    console.error(`[build-node] ${err.message}`);
    process.exit(1);
  });
}
