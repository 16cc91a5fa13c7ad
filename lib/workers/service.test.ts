// The Workers page's data and a profile's owner: live/silent/stopped, the profiles each holds.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import { acquireLease } from "../sync/ownership/lease";
import { createProfile, makeStore } from "../sync/test-support";
import { getProfileOwner, listWorkers } from "./service";

let db: Db;
let dir: string;
const viewer = { id: "u", email: "v@x", role: "viewer" } as unknown as Actor;
beforeAll(() => {
  ({ db, dir } = makeStore());
});
afterAll(() => db.$disconnect());

describe("workers service", () => {
  it("lists live, silent and stopped processes with the profiles they hold; a profile names its owner", async () => {
    const id = await createProfile(db, { name: "held", source: "http://127.0.0.1:9", target: `sqlite:${path.join(dir, "w.db")}`, tables: ["account"] });
    const now = new Date();
    await db.worker.create({ data: { id: "live-1", host: "h1", pid: 11, version: "1.0.0", role: "worker", heartbeatAt: now } });
    await db.worker.create({ data: { id: "silent-1", host: "h2", pid: 22, version: "1.0.0", role: "web+worker", heartbeatAt: new Date(now.getTime() - 60_000) } });
    await db.worker.create({ data: { id: "stopped-1", host: "h3", pid: 33, version: "1.0.0", role: "cli", heartbeatAt: now, stoppedAt: now } });
    const lease = (await acquireLease(db, id, "live-1", { leaseMs: 60_000 }))!;
    const list = await listWorkers(db, viewer, now);
    expect(list.map((w) => [w.id, w.status])).toEqual([["live-1", "live"], ["silent-1", "silent"], ["stopped-1", "stopped"]]);
    expect(list[0]).toMatchObject({ host: "h1", pid: 11, version: "1.0.0", role: "worker", profiles: [{ id, name: "held", epoch: lease.epoch }] });
    expect(await getProfileOwner(db, id, now)).toMatchObject({ workerId: "live-1", host: "h1", pid: 11, epoch: lease.epoch });
    expect(await getProfileOwner(db, id, new Date(now.getTime() + 120_000))).toBeNull();
  });
});
