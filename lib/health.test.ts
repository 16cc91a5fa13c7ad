// /api/health's answer: the store, and whether a live worker exports the active profiles.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./db";
import { checkHealth } from "./health";
import { createProfile, makeStore } from "./sync/test-support";

let db: Db;
let dir: string;
beforeAll(() => {
  ({ db, dir } = makeStore());
});
afterAll(() => db.$disconnect());

describe("checkHealth", () => {
  it("reports a dead worker, and 'unavailable' while profiles are active and no worker is alive", async () => {
    expect(await checkHealth({ db, leaseMs: 10_000 })).toMatchObject({ status: "ok", workers: { live: 0, activeProfiles: 0 } });
    await createProfile(db, { name: "h1", source: "http://127.0.0.1:9", target: `sqlite:${path.join(dir, "h.db")}`, tables: ["account"] });
    const now = new Date();
    await db.worker.create({ data: { id: "killed-one", host: "h1", pid: 4242, version: "0", role: "worker", heartbeatAt: new Date(now.getTime() - 60_000) } });
    const down = await checkHealth({ db, leaseMs: 10_000, now });
    expect(down.status).toBe("unavailable");
    expect(down).toMatchObject({ store: "ok", workers: { live: 0, activeProfiles: 1, dead: [{ id: "killed-one", host: "h1", pid: 4242, silentForSeconds: 60 }] } });
    expect((down as { reason: string }).reason).toMatch(/No live sync worker: 1 active profile is not being exported.*killed-one.*silent for 60 s/);
    // The web process alone is up when it reaches its store.
    expect(await checkHealth({ db, leaseMs: 10_000, now, scope: "store" })).toEqual({ status: "ok", store: "ok" });
    // A live worker: healthy, the dead one still named.
    await db.worker.create({ data: { id: "alive", host: "h2", pid: 1, version: "0", role: "worker", heartbeatAt: now } });
    expect(await checkHealth({ db, leaseMs: 10_000, now })).toMatchObject({ status: "ok", workers: { live: 1, dead: [{ id: "killed-one" }] } });
    // A CLI run is not a worker: it does not keep the portal's profiles running.
    await db.worker.update({ where: { id: "alive" }, data: { role: "cli" } });
    expect((await checkHealth({ db, leaseMs: 10_000, now })).status).toBe("unavailable");
  });
});
