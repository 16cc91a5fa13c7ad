// Production runs compiled JavaScript: scripts/build-node.mjs bundles the worker, the CLI and the
// start script's bootstrap, and each runs from its bundle with TypeScript and tsx made impossible
// to load (a resolve hook refuses them), against a fresh SQLite store.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNode, entryFile, nodeBuildIsCurrent, root } from "./build-node.mjs";
import { COMMANDS } from "../lib/cli/main";

const out = path.join(root, `.dist-test-${process.pid}`);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-build-node-"));
// Loaded with --import before the bundle: any attempt to load tsx or a .ts file fails loudly.
const noTs = path.join(dataDir, "no-typescript.mjs");
fs.writeFileSync(
  path.join(dataDir, "no-typescript-hooks.mjs"),
  `export async function resolve(specifier, context, next) {
  if (/^tsx(\\/|$)/.test(specifier) || /[.]tsx?$/.test(specifier.split("?")[0])) throw new Error("loaded TypeScript: " + specifier);
  return next(specifier, context);
}
`,
);
fs.writeFileSync(noTs, `import { register } from "node:module";\nregister("./no-typescript-hooks.mjs", import.meta.url);\n`);
const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", NODE_OPTIONS: "", LOG_FORMAT: "json" };
delete (env as Record<string, string | undefined>).DATABASE_URL;

beforeAll(async () => {
  await buildNode({ out, log: () => undefined });
}, 180_000);
afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("the compiled worker and CLI", () => {
  it("builds every entry, current until a source changes", () => {
    for (const name of ["worker", "cli", "bootstrap"]) expect(fs.existsSync(entryFile(name, out))).toBe(true);
    expect(nodeBuildIsCurrent(out)).toBe(true);
    const bundled = fs.readFileSync(entryFile("worker", out), "utf8");
    expect(bundled).not.toMatch(/from ["']tsx/);
  });

  it("lists every command of lib/cli/commands in the CLI's static map", () => {
    const files = fs.readdirSync(path.join(root, "lib/cli/commands")).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).map((f) => f.slice(0, -3));
    expect(Object.keys(COMMANDS).sort()).toEqual(files.sort());
  });

  it("runs the CLI from its bundle without TypeScript: --help and version", () => {
    const cli = pathToFileURL(entryFile("cli", out)).href;
    const run = (args: string[]) =>
      spawnSync(process.execPath, ["--import", pathToFileURL(noTs).href, "--input-type=module", "-e", `const { main } = await import(${JSON.stringify(cli)}); process.exitCode = await main(${JSON.stringify(args)});`], { env, encoding: "utf8", timeout: 60_000 });
    const help = run(["--help"]);
    expect(help.stderr).toBe("");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/commands: emulator, failures, lake, reconcile, store, sync, token, version/);
    const version = run(["version"]);
    expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version);
    // The check itself works: the TypeScript entry is refused.
    const refused = spawnSync(process.execPath, ["--import", pathToFileURL(noTs).href, "--input-type=module", "-e", `await import(${JSON.stringify(pathToFileURL(path.join(root, "lib/cli/main.ts")).href)})`], { env, encoding: "utf8", timeout: 60_000 });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/loaded TypeScript/);
  }, 120_000);

  it("starts the worker from its bundle without TypeScript, migrates the store and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", pathToFileURL(noTs).href, entryFile("worker", out)], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const deadline = Date.now() + 120_000;
    while (!output.includes("sync worker started")) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the worker did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(fs.existsSync(path.join(dataDir, "portal.db"))).toBe(true);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toMatch(/sync worker stopped/);
    expect(output).not.toMatch(/loaded TypeScript/);
  }, 180_000);
});
