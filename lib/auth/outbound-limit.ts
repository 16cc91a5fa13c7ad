// Work that reaches outside this server on a user's behalf — connection tests (Dataverse WhoAmI, a
// target database) and table / relationship listings (Dataverse metadata) — is rate-limited per
// user, so that a viewer (or a leaked viewer token) cannot make the portal hammer Dataverse or a
// database. Counted with rate-limiter-flexible's Prisma limiter, like the sign-in throttle, so the
// counts live in the portal store and hold across web processes.
import { RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import type { Actor } from "./actor";
import type { Db } from "../db";
import { TooManyRequestsError } from "../errors";

export type OutboundLimits = { requests: number; windowSeconds: number };

/** OUTBOUND_RATE_LIMIT="N/S": N requests per S seconds per user (default 30/60). */
export function outboundLimits(value = process.env.OUTBOUND_RATE_LIMIT): OutboundLimits {
  const v = (value ?? "").trim();
  if (!v) return { requests: 30, windowSeconds: 60 };
  const m = /^(\d+)\s*\/\s*(\d+)$/.exec(v);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`OUTBOUND_RATE_LIMIT must be "requests/seconds", like 30/60, got "${value}"`);
  return { requests: Number(m[1]), windowSeconds: Number(m[2]) };
}

export type OutboundLimiter = {
  /** Counts one outbound request of the actor; throws TooManyRequestsError (429) over the limit. */
  consume(actor: Actor): Promise<void>;
};

export function createOutboundLimiter(db: Db, limits: OutboundLimits = outboundLimits()): OutboundLimiter {
  const limiter = new RateLimiterPrisma({
    storeClient: db,
    tableName: "rateLimiterFlexible",
    keyPrefix: "outbound:user",
    points: limits.requests,
    duration: limits.windowSeconds,
  });
  return {
    async consume(actor) {
      try {
        await limiter.consume(actor.id);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new TooManyRequestsError(
          `Too many connection tests and table listings (at most ${limits.requests} in ${limits.windowSeconds} s per user). Try again in ${seconds} s.`,
          seconds,
        );
      }
    },
  };
}

// One per process and store client (the limiter holds a cleanup timer).
const globalForLimiter = globalThis as unknown as { __dxOutboundLimiter?: { db: Db; limiter: OutboundLimiter } };
export function outboundLimiter(db: Db): OutboundLimiter {
  const cached = globalForLimiter.__dxOutboundLimiter;
  if (cached?.db === db) return cached.limiter;
  const limiter = createOutboundLimiter(db);
  globalForLimiter.__dxOutboundLimiter = { db, limiter };
  return limiter;
}
