// Entry of `npx dataverse-export <command>`; each command lives in commands/<name>.ts
// and exports `run(argv: string[]): Promise<number>` (the exit code).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function commands(): string[] {
  return fs
    .readdirSync(path.join(here, "commands"))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

function usage(): string {
  return `usage: dataverse-export <command> [options]\ncommands: ${commands().join(", ")}\n` +
    `Run "dataverse-export <command> --help" for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (!/^[a-z][a-z-]*$/.test(name) || !commands().includes(name)) {
    console.error(`dataverse-export: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  const mod = (await import(path.join(here, "commands", `${name}.ts`))) as {
    run: (argv: string[]) => Promise<number>;
  };
  return mod.run(rest);
}
