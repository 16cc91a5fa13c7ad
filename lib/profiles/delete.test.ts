// Deleting a profile while the worker is exporting it: the runner stops, nothing crashes, the rows
// already written stay in the target.
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { NotFoundError } from "../errors";
import { acceptPrivacyTerms } from "../organizations/service";
import type { Worker } from "../sync/supervisor";
import { sqliteRows, waitFor } from "../sync/test-support";
import { createProfile, deleteProfile } from "./service";
import { getProfile } from "./status";
import { admin, fastWorker, setUp, type Fixture } from "./test-helpers";

let fx: Fixture;
let worker: Worker;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);

beforeAll(async () => {
  fx = await setUp(1500, 3);
  await acceptPrivacyTerms(fx.db, admin, fx.orgId);
  process.on("unhandledRejection", onUnhandled);
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await worker?.stop();
  await fx.close();
});

it("stops the runner of a profile deleted mid-export and keeps the target's rows", async () => {
  worker = fastWorker(fx.db, fx.emu.token);
  const target = path.join(fx.dir, "t.db");
  const p = await createProfile(fx.db, admin, { name: "busy", organizationId: fx.orgId, destinationType: "sqlite", connectionString: `sqlite:${target}`, tables: ["account", "contact"] }, { activate: true });
  await waitFor(async () => (await getProfile(fx.db, admin, p.id)).tables.some((t) => t.logicalName === "account" && t.initialDone > 0), "export under way");
  await deleteProfile(fx.db, admin, p.id);
  await expect(getProfile(fx.db, admin, p.id)).rejects.toBeInstanceOf(NotFoundError);
  await waitFor(() => worker.running().length === 0, "runner stopped", 20_000);
  expect(unhandled).toEqual([]);
  expect(sqliteRows(target, "account").length).toBeGreaterThan(0);
  expect(await fx.db.failure.count()).toBe(0);
});
