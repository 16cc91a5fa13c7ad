#!/usr/bin/env node
// Runs the TypeScript CLI in-process through tsx, so no build step is needed.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../lib/cli/main.ts");
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`dataverse-export: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
