// Starts the emulator: `startEmulator()` in-process (tests) or via `npx dataverse-export emulator`.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Churn } from "./churn.ts";
import type { Controls } from "./control-routes.ts";
import { createHandler } from "./router.ts";
import { Store } from "./store.ts";

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Size of the big tables (account, contact; lead/opportunity get half). Default 5000. */
  records?: number;
  /** Bearer token clients must send. Default "emulator-token". */
  token?: string;
  seed?: number;
  host?: string;
}

export interface RunningEmulator {
  /** Environment URL, e.g. http://127.0.0.1:5555 (the Web API is under /api/data/v9.2/). */
  url: string;
  token: string;
  close(): Promise<void>;
}

export const DEFAULT_TOKEN = "emulator-token";
export const DEFAULT_RECORDS = 5000;

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const records = opts.records ?? DEFAULT_RECORDS;
  if (!Number.isInteger(records) || records < 0) throw new Error(`records must be a non-negative integer, got ${records}`);
  const token = opts.token ?? DEFAULT_TOKEN;
  const host = opts.host ?? "127.0.0.1";
  const store = new Store(opts.seed ?? 1, records);
  const controls: Controls = { store, churn: new Churn(store), fault: null, slowMs: 0, requests: 0 };
  const server = createServer(createHandler(controls, token));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        controls.churn.stop();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
