// `dataverse-export emulator`: runs the local Dataverse Web API emulator (see emulator/README.md).
import { parseArgs } from "node:util";
import { DEFAULT_RECORDS, DEFAULT_TOKEN, startEmulator } from "../../../emulator/server.ts";

const HELP = `usage: dataverse-export emulator [--port P] [--host H] [--records N] [--token T] [--seed S]

Serves a demo organization "Contoso (demo)" through the Dataverse Web API (/api/data/v9.2/).
  --port P      port to listen on (default 5555; 0 picks a free one)
  --host H      interface to bind (default 127.0.0.1; 0.0.0.0 for all)
  --records N   rows in the big tables: account and contact N, lead and opportunity N/2 (default ${DEFAULT_RECORDS})
  --token T     bearer token clients must send (default "${DEFAULT_TOKEN}")
  --seed S      seed of the generated data (default 1)
Control endpoints (faults, churn, schema changes) are under /_emulator/; see emulator/README.md.`;

function intFlag(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

export async function run(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string" }, host: { type: "string" }, records: { type: "string" },
        token: { type: "string" }, seed: { type: "string" }, help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    console.error(`dataverse-export emulator: ${(err as Error).message.split("\n")[0]} (see --help)`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let opts;
  try {
    opts = {
      port: intFlag("port", values.port as string | undefined, 5555, 0, 65535),
      records: intFlag("records", values.records as string | undefined, DEFAULT_RECORDS, 0, 100_000_000),
      seed: intFlag("seed", values.seed as string | undefined, 1, 0, 2 ** 31 - 1),
      token: (values.token as string | undefined) ?? DEFAULT_TOKEN,
      host: (values.host as string | undefined) ?? "127.0.0.1",
    };
    if (!opts.token.trim() || /\s/.test(opts.token)) throw new Error("--token must be a non-empty string without spaces");
  } catch (err) {
    console.error(`dataverse-export emulator: ${(err as Error).message} (see --help)`);
    return 2;
  }
  let emulator;
  try {
    emulator = await startEmulator(opts);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    console.error(`dataverse-export emulator: cannot listen on ${opts.host}:${opts.port}: ${e.code ?? e.message}`);
    return 1;
  }
  console.log(`Dataverse emulator "Contoso (demo)" listening: ${emulator.url} (Web API ${emulator.url}/api/data/v9.2/)`);
  console.log(`token: ${emulator.token}   records: ${opts.records}   seed: ${opts.seed}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await emulator.close();
  console.log("emulator stopped");
  return 0;
}
