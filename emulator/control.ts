// Typed helper for the emulator's /_emulator control endpoints (tests and benchmarks drive it).
import type { AttributeKind } from "../lib/dataverse/types.ts";

export interface EmulatorStatus {
  seed: number;
  records: number;
  /** Current org-wide version (rowversion). */
  version: number;
  /** Live row count per table. */
  tables: Record<string, number>;
  fault: { status: number; remaining: number; retryAfterSeconds: number } | null;
  slowMs: number;
  churn: { ratePerSecond: number; tables: string[]; operations: number } | null;
  requests: number;
}

export interface EmulatorControl {
  status(): Promise<EmulatorStatus>;
  /** The next `count` Web API requests answer `status` (429 with Retry-After, 5xx, or 0 = connection dropped). */
  injectFaults(f: { status: 429 | 500 | 502 | 503 | 504 | 0; count: number; retryAfterSeconds?: number }): Promise<void>;
  /** Delay every Web API response by `ms` (0 turns it off). */
  slow(f: { ms: number }): Promise<void>;
  /** Every delta token issued so far answers 0x80044352 from now on. */
  expireDeltaTokens(): Promise<void>;
  /** Schema change: add a column to a table (existing rows read null). */
  addAttribute(table: string, attr: { logicalName: string; kind: AttributeKind; maxLength?: number; precision?: number; displayName?: string }): Promise<void>;
  /** Schema change: remove a column (gone from metadata; a `$select` or delta link naming it answers 0x80060888). */
  removeAttribute(table: string, logicalName: string): Promise<void>;
  /** Set fields of one record to raw values, without validation (e.g. a string longer than MaxLength). */
  setFields(table: string, id: string, values: Record<string, unknown>): Promise<{ version: number }>;
  startChurn(c: { ratePerSecond: number; tables?: string[] }): Promise<void>;
  stopChurn(): Promise<{ operations: number } | null>;
  /** Clears faults and delays and stops churn (data changes are kept). */
  reset(): Promise<void>;
}

export function emulatorControl(url: string, token: string, fetchFn: typeof fetch = fetch): EmulatorControl {
  const root = `${new URL(url).origin}/_emulator/`;
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetchFn(root + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator control ${method} ${path} failed: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }
  return {
    status: () => call<EmulatorStatus>("GET", "status"),
    injectFaults: async (f) => void (await call("POST", "faults", f)),
    slow: async (f) => void (await call("POST", "slow", f)),
    expireDeltaTokens: async () => void (await call("POST", "expire-delta-tokens")),
    addAttribute: async (table, attr) => void (await call("POST", `tables/${table}/attributes`, attr)),
    removeAttribute: async (table, logicalName) => void (await call("DELETE", `tables/${table}/attributes/${logicalName}`)),
    setFields: async (table, id, values) => call<{ version: number }>("PATCH", `tables/${table}/records/${id}`, { values }),
    startChurn: async (c) => void (await call("POST", "churn", c)),
    stopChurn: async () => (await call<{ stopped: { operations: number } | null }>("DELETE", "churn")).stopped,
    reset: async () => void (await call("POST", "reset")),
  };
}
