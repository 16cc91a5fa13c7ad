// PostgreSQL store only: a session advisory lock per profile, held on ONE dedicated connection of
// the worker (not Prisma's pool, and never through a transaction-pooling proxy such as PgBouncer
// in transaction mode: a session lock needs the same server session for as long as it is held).
// A worker takes the lock before the lease and drops it after releasing the lease, so whoever
// obtains the lock knows no other owner's session is alive. When a worker goes silent, a peer
// ends its lock session (pg_terminate_backend of the pid the worker published in its Worker row).
import pg from "pg";

/** First key of the two-key advisory lock: "DX" — keeps our locks apart from other applications'. */
export const LOCK_NAMESPACE = 0x4458;

/** A stable 32-bit key for a profile id (FNV-1a), as PostgreSQL's signed int4. */
export function profileLockKey(profileId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < profileId.length; i++) {
    h ^= profileId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

export class AdvisoryLocks {
  private closed = false;
  private constructor(
    private readonly client: pg.Client,
    readonly backendPid: number,
  ) {}

  /** `onLost` runs once when the session ends (network, server restart, terminated by a peer). */
  static async connect(url: string, onLost: (err: Error) => void): Promise<AdvisoryLocks> {
    const client = new pg.Client({ connectionString: url, application_name: "dataverse-export worker locks" });
    await client.connect();
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const locks = new AdvisoryLocks(client, rows[0].pid);
    let reported = false;
    const lost = (err: Error) => {
      if (reported || locks.closed) return;
      reported = true;
      onLost(err);
    };
    client.on("error", lost);
    client.on("end", () => lost(new Error("the advisory-lock session ended")));
    return locks;
  }

  async tryLock(profileId: string): Promise<boolean> {
    const { rows } = await this.client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::int, $2::int) AS ok", [LOCK_NAMESPACE, profileLockKey(profileId)]);
    return rows[0].ok;
  }

  async unlock(profileId: string): Promise<void> {
    await this.client.query("SELECT pg_advisory_unlock($1::int, $2::int)", [LOCK_NAMESPACE, profileLockKey(profileId)]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }

  /** The backend pid holding a profile's lock, or null. */
  static async holderPid(q: pg.Client | AdvisoryLocks, profileId: string): Promise<number | null> {
    const client = q instanceof AdvisoryLocks ? q.client : q;
    // The two-int4 form stores key1 in classid and key2 in objid (as an unsigned oid), objsubid 2.
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
         AND classid = $1::int::oid AND objid = ($2::bigint & 4294967295)::text::oid AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [LOCK_NAMESPACE, profileLockKey(profileId)],
    );
    return rows[0]?.pid ?? null;
  }

  /** Ends a silent worker's lock session; its locks are released by the server at once. */
  async terminate(pid: number): Promise<boolean> {
    if (pid === this.backendPid) return false;
    const { rows } = await this.client.query<{ ok: boolean }>("SELECT pg_terminate_backend($1::int) AS ok", [pid]);
    return Boolean(rows[0]?.ok);
  }
}
