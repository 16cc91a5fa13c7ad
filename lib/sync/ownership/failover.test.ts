// One runner per profile with real processes: two workers and the CLI on one store, the emulator
// with churn, a PostgreSQL target whose trigger records which process wrote each row
// (application_name = the process's name). kill -9 of an owner → a peer owns the profile within
// 15 s; SIGSTOP of an owner for 30 s → a peer takes over, and the stopped runner, once resumed,
// is fenced and writes nothing more to the store or the target; target == source at the end;
// the epoch history and the trigger's record show one writer at a time. Real timings (lease
// 10 s, heartbeat 2 s, poll 2 s). Runs on a SQLite store and on a PostgreSQL store.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../../emulator/server";
import { upsertProfileFromFlags } from "../../cli/commands/sync";
import { createDb, type Db } from "../../db";
import { migrateStore } from "../../store/migrate";
import { usePostgres, type TestPostgres } from "../../testing/postgres";
import { createProfile, flags, makeStore, sourceRows, waitFor, webApi } from "../test-support";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const target: TestPostgres = await usePostgres();
const pgStore: TestPostgres = await usePostgres();
if (!target.available) console.warn(`\n*** SKIPPING the multi-process failover tests: no PostgreSQL for the target (${target.reason}) ***\n`);
afterAll(async () => {
  await target.cleanup();
  await pgStore.cleanup();
});

// The target records its writer: every row written to an exported table, with the session's
// application_name (PGAPPNAME of the process) and the time. Attached by an event trigger, because
// the engine creates the tables.
const AUDIT_SQL = `
CREATE TABLE public.writer_audit (seq bigserial primary key, tbl text, id text, ver text, op text, writer text, at timestamptz default clock_timestamp());
CREATE FUNCTION public.audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.writer_audit(tbl, id, ver, op, writer)
  VALUES (TG_TABLE_NAME, coalesce(to_jsonb(NEW)->>'Id', to_jsonb(OLD)->>'Id'), coalesce(to_jsonb(NEW)->>'versionnumber', to_jsonb(OLD)->>'versionnumber'), TG_OP, current_setting('application_name'));
  RETURN NULL;
END $$;
CREATE FUNCTION public.attach_audit() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' AND schema_name = 'dbo' LOOP
    IF r.object_identity IN ('dbo.a_account', 'dbo.b_contact', 'dbo.c_team') THEN
      EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION public.audit_row()', r.object_identity);
    END IF;
  END LOOP;
END $$;
CREATE EVENT TRIGGER attach_audit ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.attach_audit();
`;

interface Proc {
  name: string;
  child: ChildProcess;
  out: string[];
}

const stores = [
  { store: "SQLite", skip: !target.available },
  { store: "PostgreSQL", skip: !target.available || !pgStore.available },
];
if (!pgStore.available) console.warn(`\n*** SKIPPING the failover tests on a PostgreSQL store: ${pgStore.reason} ***\n`);

describe.each(stores)("one runner per profile across processes ($store store)", ({ store, skip }) => {
  let db: Db;
  let dir: string;
  let storeEnv: Record<string, string>;
  let emu: RunningEmulator;
  let churn: NodeJS.Timeout | null = null;
  let auditDb: pg.Client;
  const procs: Proc[] = [];
  const ids: Record<"p1" | "p2" | "p3", string> = { p1: "", p2: "", p3: "" };

  const spawnProc = (name: string, args: string[]): Proc => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...storeEnv, PGAPPNAME: name, LOG_FORMAT: "json", WORKER_LEASE_MS: "10000", WORKER_HEARTBEAT_MS: "2000", WORKER_POLL_MS: "2000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const p: Proc = { name, child, out: [] };
    child.stdout!.on("data", (d) => p.out.push(String(d)));
    child.stderr!.on("data", (d) => p.out.push(String(d)));
    procs.push(p);
    return p;
  };
  const spawnWorker = (name: string) => spawnProc(name, ["--import", "tsx", "lib/sync/worker.ts"]);
  const cli = (name: string, args: string[]) =>
    new Promise<{ code: number | null; err: string }>((resolve) => {
      const p = spawnProc(name, [path.join(root, "bin/dataverse-export.mjs"), ...args]);
      p.child.once("exit", (code) => resolve({ code, err: p.out.join("") }));
    });
  const cliArgs = (name: string, prefix: string, table: string) => [
    "sync", "--name", name, "--source", emu.url, "--token", emu.token, "--target", target.url, "--prefix", prefix, "--tables", table,
    "--retry-count", "0", "--retry-interval", "0", "--page-size", "50", "--interval", "1", "--once", "--quiet",
  ];

  /** The live owner of a profile: the spawned process holding its unexpired lease. */
  const owner = async (profileId: string): Promise<Proc | null> => {
    const l = await db.profileLease.findUnique({ where: { profileId }, select: { expiresAt: true, owner: { select: { pid: true } } } });
    if (!l?.owner || l.expiresAt <= new Date()) return null;
    return procs.find((p) => p.child.pid === l.owner!.pid) ?? null;
  };
  const completed = async (profileId: string) =>
    (await db.profileTable.findMany({ where: { profileId } })).every((t) => t.initialSyncState === "Completed");

  beforeAll(async () => {
    if (skip) return;
    if (store === "SQLite") {
      ({ db, dir } = makeStore());
      storeEnv = { DATA_DIR: dir };
    } else {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-failover-pg-"));
      process.env.DATA_DIR = dir;
      migrateStore(pgStore.url);
      db = createDb(pgStore.url);
      storeEnv = { DATA_DIR: dir, DATABASE_URL: pgStore.url };
    }
    await target.admin(`DROP SCHEMA IF EXISTS dbo CASCADE; DROP TABLE IF EXISTS public.writer_audit; DROP EVENT TRIGGER IF EXISTS attach_audit; DROP FUNCTION IF EXISTS public.attach_audit(); DROP FUNCTION IF EXISTS public.audit_row();`);
    await target.admin(AUDIT_SQL);
    auditDb = new pg.Client({ connectionString: target.url });
    await auditDb.connect();
    emu = await startEmulator({ port: 0, records: 150, seed: 11 });
    const base = { source: emu.url, target: target.url, retryCount: 0, retryInterval: 0, pageSize: 50 };
    ids.p1 = await createProfile(db, { ...base, name: "fo-1", prefix: "a", tables: ["account"] });
    ids.p2 = await createProfile(db, { ...base, name: "fo-2", prefix: "b", tables: ["contact"] });
    // Not active: only the CLI runs it.
    ids.p3 = await upsertProfileFromFlags(db, flags({ ...base, name: "fo-3", prefix: "c", tables: ["team"] }));
    // Churn at the source all along: creates, updates and deletes on both exported tables.
    const api = webApi(emu.url);
    let n = 0;
    churn = setInterval(() => {
      n++;
      const table = n % 2 ? { set: "accounts", id: "accountid", body: { name: `churn ${n}` } } : { set: "contacts", id: "contactid", body: { lastname: `churn ${n}` } };
      void (async () => {
        const [first, second] = await api.firstIds(table.set, table.id, 2);
        if (n % 7 === 0 && second) await api.remove(table.set, second);
        else if (n % 3 === 0) await api.create(table.set, table.body, table.id);
        else await api.update(table.set, first, table.body);
      })().catch(() => undefined);
    }, 150);
  }, 120_000);

  afterAll(async () => {
    if (churn) clearInterval(churn);
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill("SIGCONT");
      p.child.kill("SIGKILL");
    }
    await auditDb?.end().catch(() => undefined);
    await db?.$disconnect();
    await emu?.close();
  });

  it.skipIf(skip)("two workers run one profile each; the CLI refuses a profile a worker owns and runs an inactive one without leaving it active", async () => {
    spawnWorker("w1");
    spawnWorker("w2");
    await waitFor(async () => {
      const [o1, o2] = [await owner(ids.p1), await owner(ids.p2)];
      return o1 && o2 && o1 !== o2 && (await completed(ids.p1)) && (await completed(ids.p2));
    }, "both profiles owned by different workers and exported", 120_000, 250);

    const refused = await cli("cli-refused", cliArgs("fo-1", "a", "account"));
    expect(refused.code, refused.err).toBe(1);
    expect(refused.err).toMatch(/profile 'fo-1' is being run by a worker on .* \(pid \d+/);

    const ran = await cli("cli", cliArgs("fo-3", "c", "team"));
    expect(ran.code, ran.err).toBe(0);
    const p3 = await db.profile.findUniqueOrThrow({ where: { id: ids.p3 }, select: { metadataActive: true, dataActive: true } });
    expect(p3).toEqual({ metadataActive: false, dataActive: false });
    expect((await db.profileLease.findUniqueOrThrow({ where: { profileId: ids.p3 } })).ownerId).toBeNull();
    // Two polls later no worker has picked it up.
    await new Promise((r) => setTimeout(r, 4500));
    const p3Owners = await db.leaseEvent.findMany({ where: { profileId: ids.p3, kind: { in: ["acquired", "takeover"] } }, select: { ownerId: true } });
    const cliRows = await db.worker.findMany({ where: { role: "cli" }, select: { id: true } });
    expect(p3Owners.length).toBe(1);
    expect(cliRows.map((r) => r.id)).toContain(p3Owners[0].ownerId);
  }, 300_000);

  it.skipIf(skip)("kill -9 of the owner: another worker owns the profile within 15 s", async () => {
    const victim = (await owner(ids.p1))!;
    const killedAt = Date.now();
    victim.child.kill("SIGKILL");
    const next = (await waitFor(async () => {
      const o = await owner(ids.p1);
      return o && o !== victim ? o : null;
    }, "a new owner after kill -9", 30_000, 100))!;
    const takeoverMs = Date.now() - killedAt;
    console.log(`[failover ${store}] kill -9 → ${next.name} owns the profile after ${(takeoverMs / 1000).toFixed(1)} s`);
    expect(takeoverMs).toBeLessThan(15_000);
    // Keep two workers alive for the next step.
    spawnWorker("w3");
  }, 120_000);

  it.skipIf(skip)("SIGSTOP of the owner for 30 s: a peer takes over; the resumed runner is fenced and writes nothing to the store or the target", async () => {
    const stopped = (await owner(ids.p2))!;
    const epochBefore = (await db.profile.findUniqueOrThrow({ where: { id: ids.p2 } })).epoch;
    let stoppedAt = Date.now();
    stopped.child.kill("SIGSTOP");
    // SQLite: nothing can break a file lock, so a process frozen inside a write transaction stops
    // every other one until it resumes (README, "One runner per profile"). Freeze it between
    // transactions: if the store's write lock is held, let it run a moment and freeze it again.
    for (let attempt = 0; store === "SQLite" && attempt < 20; attempt++) {
      const probe = new Database(path.join(dir, "portal.db"), { timeout: 1500 });
      let locked = false;
      try {
        probe.exec("BEGIN IMMEDIATE; ROLLBACK;");
      } catch {
        locked = true;
      } finally {
        probe.close();
      }
      if (!locked) break;
      stopped.child.kill("SIGCONT");
      await new Promise((r) => setTimeout(r, 300));
      stopped.child.kill("SIGSTOP");
      stoppedAt = Date.now();
    }
    const next = (await waitFor(async () => {
      const o = await owner(ids.p2);
      return o && o !== stopped ? o : null;
    }, "a peer takes over from the stopped owner", 40_000, 200))!;
    expect((await db.profile.findUniqueOrThrow({ where: { id: ids.p2 } })).epoch).toBeGreaterThan(epochBefore);
    await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + 30_000 - Date.now())));

    // Take the profile away from the new owner (deactivated: it stops and releases the lease).
    // From now on no legitimate runner exists, so any write for this profile could only come from
    // the resumed process. (Not by freezing the new owner: on SQLite a process frozen inside a
    // write transaction holds the store's file lock and stops every other process too.)
    await db.profile.update({ where: { id: ids.p2 }, data: { metadataActive: false, dataActive: false, state: "inactive" } });
    await waitFor(async () => (await db.profileLease.findUnique({ where: { profileId: ids.p2 } }))?.ownerId === null, "the new owner stops and releases", 30_000, 100);
    expect(next.child.exitCode).toBeNull();
    const snapshot = async () => ({
      tables: await db.profileTable.findMany({ where: { profileId: ids.p2 }, orderBy: { id: "asc" } }),
      profile: await db.profile.findUniqueOrThrow({ where: { id: ids.p2 }, select: { state: true, lastSyncAt: true, lastError: true, epoch: true, resyncFailedRequested: true } }),
      failures: await db.failure.count({ where: { profileId: ids.p2 } }),
      markers: await db.failedRecord.count({ where: { profileId: ids.p2 } }),
      stats: await db.syncStat.findMany({ where: { profileId: ids.p2 }, orderBy: [{ minute: "asc" }, { entity: "asc" }] }),
    });
    const before = await snapshot();
    const auditMark = Number((await auditDb.query("select coalesce(max(seq), 0) as m from public.writer_audit")).rows[0].m);
    const fencedLogs = () => stopped.out.join("").split("\n").filter((l) => /fenced/.test(l)).length;
    const fencedBefore = fencedLogs();
    stopped.child.kill("SIGCONT");
    await waitFor(() => fencedLogs() > fencedBefore, "the resumed runner reports it is fenced", 20_000, 100);
    // Time for it to try whatever it had in hand (pages read ahead, checkpoints, stats).
    await new Promise((r) => setTimeout(r, 4000));
    expect(await snapshot()).toEqual(before);
    const late = await auditDb.query("select writer, count(*)::int as n from public.writer_audit where seq > $1 group by writer", [auditMark]);
    expect(late.rows.filter((r) => r.writer === stopped.name)).toEqual([]);
    // Active again (as the portal's Activate does): a worker takes it and catches up.
    await db.profile.update({ where: { id: ids.p2 }, data: { metadataActive: true, dataActive: true, state: "activating", version: { increment: 1 } } });
  }, 180_000);

  it.skipIf(skip)("SIGTERM: the owner finishes, saves, releases its lease and exits 0; a peer takes over within one poll", async () => {
    const leaving = (await owner(ids.p1))!;
    const row = await db.worker.findFirstOrThrow({ where: { pid: leaving.child.pid!, stoppedAt: null }, orderBy: { startedAt: "desc" } });
    const exited = new Promise<number | null>((resolve) => leaving.child.once("exit", (code) => resolve(code)));
    leaving.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const released = await db.leaseEvent.findFirstOrThrow({ where: { profileId: ids.p1, ownerId: row.id, kind: "released" } });
    expect((await db.worker.findUniqueOrThrow({ where: { id: row.id } })).stoppedAt).not.toBeNull();
    const next = await waitFor(
      async () => db.leaseEvent.findFirst({ where: { profileId: ids.p1, kind: { in: ["acquired", "takeover"] }, id: { gt: released.id } } }),
      "a peer takes the released profile",
      20_000,
      100,
    );
    // Released, not expired: the next poll of a peer (2 s) takes it, not the lease (10 s).
    expect(next!.at.getTime() - released.at.getTime()).toBeLessThan(2000 + 1500);
    expect(next!.kind).toBe("acquired");
  }, 120_000);

  it.skipIf(skip)("target == source afterwards; the epoch history and the writer trigger show one runner at a time", async () => {
    if (churn) clearInterval(churn);
    churn = null;
    await new Promise((r) => setTimeout(r, 500));
    const same = async (table: string, set: string, select: string[]) => {
      const src = await sourceRows(emu.url, table, select);
      const { rows } = await auditDb.query(`select "Id" as id, versionnumber::text as v from dbo."${set}"`);
      const got = new Map(rows.map((r) => [String(r.id), String(r.v)]));
      const missing = [...src.keys()].filter((id) => !got.has(id)).length;
      const extra = [...got.keys()].filter((id) => !src.has(id)).length;
      const stale = [...src].filter(([id, r]) => got.has(id) && got.get(id) !== r.version).length;
      return { missing, extra, stale };
    };
    const zero = { missing: 0, extra: 0, stale: 0 };
    await waitFor(async () => JSON.stringify(await same("account", "a_account", ["name"])) === JSON.stringify(zero), "a_account equals the source", 90_000, 500);
    await waitFor(async () => JSON.stringify(await same("contact", "b_contact", ["lastname"])) === JSON.stringify(zero), "b_contact equals the source", 90_000, 500);

    // Owner intervals from the history; pid → process name via the Worker rows.
    const workers = await db.worker.findMany({ select: { id: true, pid: true } });
    const nameOf = new Map(workers.map((w) => [w.id, procs.find((p) => p.child.pid === w.pid)?.name ?? "?"]));
    for (const [key, table] of [["p1", "a_account"], ["p2", "b_contact"]] as const) {
      const events = await db.leaseEvent.findMany({ where: { profileId: ids[key] }, orderBy: { id: "asc" } });
      const takes = events.filter((e) => e.kind !== "released");
      // Every acquisition has a new, higher epoch.
      for (let i = 1; i < takes.length; i++) expect(takes[i].epoch).toBeGreaterThan(takes[i - 1].epoch);
      expect(events.some((e) => e.kind === "takeover")).toBe(true);
      const intervals = takes.map((e) => ({ writer: nameOf.get(e.ownerId), from: e.at.getTime(), to: events.find((x) => x.id > e.id)?.at.getTime() ?? Infinity }));
      const { rows } = await auditDb.query("select writer, at from public.writer_audit where tbl = $1 order by seq", [table]);
      expect(rows.length).toBeGreaterThan(0);
      const outside = rows.filter((r) => {
        const t = new Date(r.at).getTime();
        const current = intervals.find((iv) => t >= iv.from && t < iv.to);
        return !current || current.writer !== r.writer;
      });
      expect(outside, `${table}: rows written by a process that did not hold the lease at that moment`).toEqual([]);
    }
  }, 240_000);
});
