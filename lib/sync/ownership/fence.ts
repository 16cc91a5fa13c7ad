// Fencing: a runner holds the profile's epoch it was given when it took the lease. Every store
// write it makes runs in a transaction that first re-reads the profile's epoch (PostgreSQL: under
// FOR SHARE, so a takeover's epoch bump waits for writes in flight and every later write sees it;
// SQLite: the write transaction itself serialises with the takeover's). A different epoch means
// another runner took over: the fence trips, the write is not made, and the runner stops.
// Target writes check the epoch before each batch, so a runner paused and resumed after a
// takeover does not write an old version to the target either.
import type { Db } from "../../db";
import type { Destination } from "../../destinations/types";
import type { StoreProvider } from "./config";

export class FencedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FencedError";
  }
}

export function isFenced(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { name?: unknown }).name === "FencedError") return true;
  }
  return false;
}

export class Fence {
  private reason: string | null = null;
  private readonly listeners = new Set<(reason: string) => void>();

  constructor(
    readonly profileId: string,
    readonly epoch: number,
    readonly ownerId: string,
    private readonly provider: StoreProvider,
    /** PostgreSQL: how long a paused runner may keep its transaction open (the lease). */
    private readonly idleTimeoutMs = 10_000,
  ) {}

  get tripped(): boolean {
    return this.reason !== null;
  }

  /** Called when the lease is known to be lost: every later write is refused without a store round trip. */
  trip(reason: string): void {
    if (this.reason !== null) return;
    this.reason = reason;
    for (const l of this.listeners) l(reason);
  }

  onTrip(fn: (reason: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  throwIfTripped(): void {
    if (this.reason !== null) throw new FencedError(`profile ${this.profileId}: this runner (epoch ${this.epoch}) was fenced: ${this.reason}`);
  }

  /** Inside a store transaction: the epoch still ours, else trip and throw (the transaction rolls back). */
  async check(tx: Db): Promise<void> {
    this.throwIfTripped();
    if (this.provider === "postgresql") {
      // A runner paused inside this transaction (SIGSTOP, a VM freeze) would hold FOR SHARE and
      // block the takeover's epoch bump for as long as it is paused: the server ends such a
      // session once it sits idle in the transaction for a lease.
      await tx.$executeRawUnsafe(`SET LOCAL idle_in_transaction_session_timeout = ${Math.round(this.idleTimeoutMs)}`);
      const rows: { epoch: number }[] = await tx.$queryRaw`SELECT "epoch" FROM "Profile" WHERE "id" = ${this.profileId} FOR SHARE`;
      this.compare(rows[0]?.epoch);
      return;
    }
    // SQLite: a write first, so the transaction holds the write lock from its first statement.
    // (Read first, then write would be refused with SQLITE_BUSY whenever another process writes.)
    const same = await tx.$executeRaw`UPDATE "Profile" SET "epoch" = "epoch" WHERE "id" = ${this.profileId} AND "epoch" = ${this.epoch}`;
    if (same === 1) return;
    const p = await tx.profile.findUnique({ where: { id: this.profileId }, select: { epoch: true } });
    this.compare(p?.epoch);
  }

  /** Outside a transaction (before a target write batch). */
  async verify(db: Db): Promise<void> {
    this.throwIfTripped();
    const p = await db.profile.findUnique({ where: { id: this.profileId }, select: { epoch: true } });
    this.compare(p?.epoch);
  }

  private compare(current: number | bigint | undefined): void {
    if (current === undefined) this.trip("the profile was deleted");
    else if (Number(current) !== this.epoch) this.trip(`another runner took over (epoch ${Number(current)})`);
    this.throwIfTripped();
  }

  /** Runs `fn` in one store transaction guarded by the epoch check. */
  async run<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
    this.throwIfTripped();
    return db.$transaction(
      async (tx) => {
        const txDb = tx as unknown as Db;
        await this.check(txDb);
        return fn(txDb);
      },
      // A busy worker queues many small transactions on SQLite's one connection.
      { maxWait: 30_000, timeout: 60_000 },
    );
  }
}

const WRITE_OPS = new Set([
  "create", "createMany", "createManyAndReturn", "update", "updateMany", "updateManyAndReturn", "upsert", "delete", "deleteMany",
]);

/**
 * A delegate call made through the fenced client: lazy like Prisma's own promises, so that the
 * array form of `$transaction([...])` can run the calls inside one fenced transaction.
 */
class FencedCall<T> implements PromiseLike<T> {
  private started: Promise<T> | null = null;
  constructor(
    readonly model: string,
    readonly op: string,
    readonly args: unknown,
    private readonly exec: () => Promise<T>,
  ) {}
  private run(): Promise<T> {
    return (this.started ??= this.exec());
  }
  then<A = T, B = never>(ok?: ((v: T) => A | PromiseLike<A>) | null, fail?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.run().then(ok, fail);
  }
  catch<B = never>(fail?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.run().catch(fail);
  }
  finally(f?: (() => void) | null): Promise<T> {
    return this.run().finally(f);
  }
  get [Symbol.toStringTag]() {
    return "PrismaPromise";
  }
}

type Delegates = Record<string, Record<string, (a: unknown) => Promise<unknown>>>;

/**
 * The store as a runner sees it: reads go straight through; every write of every model
 * (checkpoints, counters, table state, failures, markers, stats, profile state) and every
 * transaction (interactive or array form) runs under `fence.run`. The engine's code is unchanged:
 * it is handed this client instead of the raw one.
 */
export function fencedDb(base: Db, fence: Fence): Db {
  const delegates = new Map<string, unknown>();
  const wrapDelegate = (model: string, delegate: Record<string, unknown>) =>
    new Proxy(delegate, {
      get(target, op) {
        const v = Reflect.get(target, op);
        if (typeof op !== "string" || typeof v !== "function") return v;
        const write = WRITE_OPS.has(op);
        return (args: unknown) =>
          new FencedCall(model, op, args, () =>
            write ? fence.run(base, (tx) => (tx as unknown as Delegates)[model][op](args)) : (v as (a: unknown) => Promise<unknown>).call(target, args),
          );
      },
    });
  return new Proxy(base, {
    get(target, prop) {
      if (prop === "$transaction") {
        return (arg: unknown) => {
          if (typeof arg === "function") return fence.run(base, arg as (tx: Db) => Promise<unknown>);
          if (!Array.isArray(arg)) throw new Error("$transaction takes a function or an array of queries");
          // Array form: the calls were made on this client and have not run yet (lazy): run them
          // in order inside one fenced transaction.
          return fence.run(base, async (tx) => {
            const out: unknown[] = [];
            for (const c of arg) out.push(c instanceof FencedCall ? await (tx as unknown as Delegates)[c.model][c.op](c.args) : await c);
            return out;
          });
        };
      }
      if (prop === "$executeRaw" || prop === "$executeRawUnsafe") {
        return (...args: unknown[]) => fence.run(base, (tx) => (tx[prop] as (...a: unknown[]) => Promise<number>)(...args));
      }
      const v = Reflect.get(target, prop);
      if (typeof prop === "string" && !prop.startsWith("$") && v && typeof v === "object" && typeof (v as { findMany?: unknown }).findMany === "function") {
        if (!delegates.has(prop)) delegates.set(prop, wrapDelegate(prop, v as Record<string, unknown>));
        return delegates.get(prop);
      }
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

// Calls that write nothing to the target pass straight through. The held-commit bookkeeping is
// synchronous by contract: wrapped as async, commitDue would return a (truthy) Promise, so every
// page would commit, and releaseCommits, run in a finally block, would reject unhandled once the
// runner is fenced. Rows staged under a hold reach the target only through commit, which is fenced.
const TARGET_READS = new Set(["kind", "options", "validate", "close", "scanIdVersions", "holdCommits", "commitDue", "releaseCommits"]);

/** The target as a runner sees it: each write call (batch) first checks the epoch in the store. */
export function fencedDestination(dest: Destination, fence: Fence, db: Db): Destination {
  return new Proxy(dest, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      if (typeof v !== "function") return v;
      if (typeof prop !== "string" || TARGET_READS.has(prop)) return v.bind(target);
      return async (...args: unknown[]) => {
        await fence.verify(db);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
