// A PostgreSQL connection reset while a query runs (network cut, failover, pg_terminate_backend)
// must reject that query — a transient error for the engine — and never crash the process.
// Found by the chaos run: pg's Client re-emits the socket error as an 'error' event, and a
// client checked out of the pool has no listener, so the worker died with "Unhandled 'error' event".
import { afterAll, describe, expect, it } from "vitest";
import { usePostgres } from "../testing/postgres";
import { startTcpProxy, type TcpProxy } from "../testing/tcp-proxy";
import { tableSpecFor } from "./columns";
import { PostgresDestination } from "./postgres";
import { accountRecord, accountSchema } from "./test-fixtures";

const pg = await usePostgres();
let proxy: TcpProxy | null = null;
afterAll(async () => {
  await proxy?.close();
  await pg.cleanup();
});

describe.skipIf(!pg.available)("postgres target behind a connection that is cut", () => {
  it("rejects the running write, keeps the process alive and reconnects for the next one", async () => {
    const u = new URL(pg.url);
    proxy = await startTcpProxy(u.hostname, Number(u.port || 5432));
    u.hostname = "127.0.0.1";
    u.port = String(proxy.port);
    const dest = new PostgresDestination({ connectionString: u.toString() }, { schemaName: "dbo", prefix: "cut" }, "test");
    const spec = tableSpecFor(accountSchema(), "cut");
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => void uncaught.push(err);
    process.on("uncaughtException", onUncaught);
    try {
      await dest.prepare({ deleteLog: false });
      await dest.ensureTable(spec);
      await dest.upsert(spec, [accountRecord(1, 1)]);

      // Hold the next write's bytes in the proxy, then cut every connection under it.
      proxy.delay(400);
      const write = dest.upsert(spec, [accountRecord(2, 1)]);
      const failed = write.then(() => null, (e: Error) => e);
      await new Promise((r) => setTimeout(r, 150));
      expect(proxy.cutAll()).toBeGreaterThan(0);
      proxy.delay(0);
      const err = await failed;
      expect(err).toBeInstanceOf(Error);
      // Give the socket's error event its turn: without the listener it throws from there.
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);

      await dest.upsert(spec, [accountRecord(3, 1)]);
      const ids = (await pg.admin<{ Id: string }>(`select "Id" from "dbo"."cut_account" order by "Id"`)).map((r) => r.Id);
      expect(ids).toContain(accountRecord(3, 1).id);
    } finally {
      process.off("uncaughtException", onUncaught);
      await dest.close();
    }
  });
});
