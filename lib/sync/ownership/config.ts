// Timings of the one-runner-per-profile rule, from the environment so that tests and the failover
// benchmark can shrink them. The defaults keep a takeover after a crash under 15 s:
// lease (10 s) + one poll (2 s) + the acquisition itself.
import { databaseUrl } from "../../config/paths";
import { storeProvider as providerOf, type StoreProvider } from "../../store/provider";

export interface OwnershipTimings {
  /** How often a process writes its heartbeat and renews its leases. */
  heartbeatMs: number;
  /** A lease not renewed for this long is free: its owner is considered dead. */
  leaseMs: number;
  /** How often a worker looks for profiles to run or to hand over. */
  pollMs: number;
}

function envMs(name: string, dflt: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of milliseconds, got '${raw}'`);
  return n;
}

export function ownershipTimings(overrides: Partial<OwnershipTimings> = {}): OwnershipTimings {
  const leaseMs = overrides.leaseMs ?? envMs("WORKER_LEASE_MS", 10_000);
  const heartbeatMs = overrides.heartbeatMs ?? envMs("WORKER_HEARTBEAT_MS", Math.min(2_000, Math.max(50, Math.floor(leaseMs / 4))));
  const pollMs = overrides.pollMs ?? envMs("WORKER_POLL_MS", 2_000);
  if (heartbeatMs * 2 > leaseMs) throw new Error(`WORKER_HEARTBEAT_MS (${heartbeatMs}) must be at most half of WORKER_LEASE_MS (${leaseMs}), or live workers lose their leases`);
  return { heartbeatMs, leaseMs, pollMs };
}

export type { StoreProvider };

export function storeProvider(url: string = databaseUrl()): StoreProvider {
  return providerOf(url);
}
