#!/usr/bin/env node
// The CLI. Production runs the compiled dist/cli (built by `npm run build`, or by `npm start`);
// a checkout whose sources are newer than that build (or that has none) runs the TypeScript
// through tsx, a development dependency, so editing and running needs no build step.
import fs from "node:fs";
import { pathToFileURL } from "node:url";
import { buildNode, entryFile, nodeBuildIsCurrent } from "../scripts/build-node.mjs";

async function loadMain() {
  if (process.env.DX_CLI_FROM_SOURCE !== "1" && nodeBuildIsCurrent()) return (await import(pathToFileURL(entryFile("cli")).href)).main;
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    // No tsx (a production install): compile now when esbuild is there, else use the build there is.
    if (!nodeBuildIsCurrent()) {
      await buildNode({ log: (m) => console.error(`dataverse-export: ${m}`) }).catch((err) => {
        if (!fs.existsSync(entryFile("cli"))) throw err;
        console.error(`dataverse-export: using dist/ older than the sources (${err.message})`);
      });
    }
    return (await import(pathToFileURL(entryFile("cli")).href)).main;
  }
  register();
  return (await import("../lib/cli/main.ts")).main;
}

try {
  const main = await loadMain();
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`dataverse-export: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
