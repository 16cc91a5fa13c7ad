import crypto from "node:crypto";
import { RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import type { Db } from "../db";

// Sign-in attempts are counted per account and per client address with rate-limiter-flexible's
// Prisma limiter, so the counts live in the portal store (model RateLimiterFlexible) and every web
// process sees them. Attempts are counted BEFORE the password is checked: a burst of parallel
// guesses cannot slip past the limit, and a locked request costs no bcrypt work. A success clears
// the account's count; the address's count keeps only its failures.

export type ThrottleLimits = { attempts: number; windowSeconds: number; lockSeconds: number };

export const ACCOUNT_LIMITS: ThrottleLimits = { attempts: 5, windowSeconds: 15 * 60, lockSeconds: 15 * 60 };
// Higher: many people may share one address (an office behind NAT, or every client when a proxy
// is in front and TRUST_PROXY is not set).
export const IP_LIMITS: ThrottleLimits = { attempts: 30, windowSeconds: 15 * 60, lockSeconds: 15 * 60 };

export class SignInLockedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many sign-in attempts. Try again in ${retryAfterSeconds} s.`);
    this.name = "SignInLockedError";
  }
}

// The submitted email, whether or not an account has it, so unknown accounts lock the same way.
// Hashed: the store keeps no record of what strangers typed.
const keyOf = (value: string) => crypto.createHash("sha256").update(value, "utf8").digest("base64url");

function limiter(db: Db, prefix: string, l: ThrottleLimits) {
  return new RateLimiterPrisma({
    storeClient: db,
    // The Prisma client's accessor for the model (the library indexes the client with it).
    tableName: "rateLimiterFlexible",
    keyPrefix: prefix,
    points: l.attempts,
    duration: l.windowSeconds,
    blockDuration: l.lockSeconds,
  });
}

export type SignInThrottle = {
  /** Counts an attempt; throws SignInLockedError when the account or the address is locked. */
  attempt(email: string, ip: string | null): Promise<{ succeeded(): Promise<void> }>;
};

export function createSignInThrottle(db: Db, limits = { account: ACCOUNT_LIMITS, ip: IP_LIMITS }): SignInThrottle {
  const byAccount = limiter(db, "signin:account", limits.account);
  const byIp = limiter(db, "signin:ip", limits.ip);
  return {
    async attempt(email, ip) {
      const accountKey = keyOf(email);
      const ipKey = ip ? keyOf(ip) : null;
      // Both counted every time (also when one is already locked): same work, same timing.
      const results = await Promise.allSettled([byAccount.consume(accountKey), ipKey ? byIp.consume(ipKey) : Promise.resolve(null)]);
      let lockedMs = -1;
      for (const r of results) {
        if (r.status === "fulfilled") continue;
        if (!(r.reason instanceof RateLimiterRes)) throw r.reason;
        lockedMs = Math.max(lockedMs, r.reason.msBeforeNext);
      }
      if (lockedMs >= 0) throw new SignInLockedError(Math.max(1, Math.ceil(lockedMs / 1000)));
      return {
        async succeeded() {
          await Promise.all([byAccount.delete(accountKey), ipKey ? byIp.reward(ipKey, 1) : null]);
        },
      };
    },
  };
}

// One per process (limiters hold a cleanup timer), bound to the process's store client.
const globalForThrottle = globalThis as unknown as { __dxSignInThrottle?: { db: Db; throttle: SignInThrottle } };
export function signInThrottle(db: Db): SignInThrottle {
  const cached = globalForThrottle.__dxSignInThrottle;
  if (cached?.db === db) return cached.throttle;
  const throttle = createSignInThrottle(db);
  globalForThrottle.__dxSignInThrottle = { db, throttle };
  return throttle;
}
