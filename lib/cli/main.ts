// Entry of `npx dataverse-export <command>`; each command lives in commands/<name>.ts and exports
// `run(argv: string[]): Promise<number>` (the exit code). The list is written out (not read from
// the folder) so that a bundler sees every command: production runs the compiled dist/cli.mjs.
type Command = { run: (argv: string[]) => Promise<number> };

export const COMMANDS: Record<string, () => Promise<Command>> = {
  emulator: () => import("./commands/emulator"),
  failures: () => import("./commands/failures"),
  lake: () => import("./commands/lake"),
  reconcile: () => import("./commands/reconcile"),
  store: () => import("./commands/store"),
  sync: () => import("./commands/sync"),
  token: () => import("./commands/token"),
  version: () => import("./commands/version"),
};

function usage(): string {
  return `usage: dataverse-export <command> [options]\ncommands: ${Object.keys(COMMANDS).sort().join(", ")}\n` +
    `Run "dataverse-export <command> --help" for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    console.error(`dataverse-export: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  return (await COMMANDS[name]()).run(rest);
}
