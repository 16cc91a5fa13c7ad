import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { acceptPrivacyTerms } from "../organizations/service";
import { createProfile } from "./service";
import { admin, setUp, viewer, type Fixture } from "./test-helpers";
import { testProfile, testTargetConnection, validateProfile, type ValidationReport } from "./validation";

let fx: Fixture;
beforeAll(async () => {
  fx = await setUp(20, 2);
});
afterAll(() => fx.close());

const input = (over: Record<string, unknown> = {}) => ({
  name: "v1",
  organizationId: fx.orgId,
  destinationType: "sqlite",
  connectionString: `sqlite:${path.join(fx.dir, "v.db")}`,
  tables: ["account"],
  ...over,
});

const byId = (r: ValidationReport) => new Map(r.checks.map((c) => [c.id, c]));

describe("validateProfile", () => {
  it("reports the privacy terms, then passes every check for a good profile", async () => {
    const before = await validateProfile(fx.db, admin, input());
    expect(before.ok).toBe(false);
    expect(byId(before).get("privacy")).toMatchObject({ ok: false, fix: expect.stringMatching(/accept/) });
    await acceptPrivacyTerms(fx.db, admin, fx.orgId);
    const r = await validateProfile(fx.db, admin, input({ tables: ["account", "lead"], relationships: ["accountleads_association"] }));
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    const ids = r.checks.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(["privacy", "source", "table:account", "table:lead", "relationship:accountleads_association", "schema", "prefix", "names"]));
    expect(ids.some((id) => id.startsWith("target:"))).toBe(true);
  });

  it("shows a table without change tracking, an unknown table and relationship, each with its fix", async () => {
    const r = await validateProfile(fx.db, admin, input({ tables: ["account", "activitypointer", "nosuchtable"], relationships: ["nope_association"] }));
    expect(r.ok).toBe(false);
    const c = byId(r);
    expect(c.get("table:account")!.ok).toBe(true);
    expect(c.get("table:activitypointer")).toMatchObject({ ok: false, detail: expect.stringMatching(/Change tracking is off/), fix: expect.stringMatching(/Track changes/) });
    expect(c.get("table:nosuchtable")).toMatchObject({ ok: false, detail: expect.stringMatching(/no table nosuchtable/) });
    expect(c.get("relationship:nope_association")!.ok).toBe(false);
  });

  it("lists bad schema and prefix as failed checks instead of stopping", async () => {
    const r = await validateProfile(fx.db, admin, input({ schemaName: "bad-schema", prefix: "way_too_long_prefix" }));
    const c = byId(r);
    expect(c.get("schema")).toMatchObject({ ok: false, detail: expect.stringMatching(/letters and digits/) });
    expect(c.get("prefix")).toMatchObject({ ok: false, detail: expect.stringMatching(/under 15/) });
    expect(c.get("source")!.ok).toBe(true);
  });

  it("names what is wrong with the target and how to fix it", async () => {
    const r = await validateProfile(fx.db, admin, input({ connectionString: `sqlite:${path.join(fx.dir, "missing-folder", "x.db")}` }));
    const failed = r.checks.filter((c) => !c.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0].id).toMatch(/^target:/);
    expect(failed[0].detail).toMatch(/does not exist/);
    expect(failed[0].fix).toBeTruthy();
    const pg = await validateProfile(fx.db, admin, input({ destinationType: "postgres" }));
    expect(byId(pg).get("target:connection-string")).toMatchObject({ ok: false, detail: expect.stringMatching(/SQLite connection string/) });
  });

  it("checks table names against the target's limit", async () => {
    // PostgreSQL cuts names at 63 bytes; this is checked before the (unreachable) server is asked anything.
    const long = `cr0a1_${"x".repeat(50)}`;
    const r = await validateProfile(fx.db, admin, input({ destinationType: "postgres", connectionString: "postgres://u:p@127.0.0.1:1/db", prefix: "p".repeat(14), tables: ["account", long] }));
    expect(byId(r).get("names")).toMatchObject({ ok: false, detail: expect.stringContaining(`${"p".repeat(14)}_${long}`), fix: expect.stringMatching(/shorter table prefix/) });
    expect(byId(r).get("names")!.detail).not.toContain("_account");
    expect(byId(r).get("target:connect")).toMatchObject({ ok: false });
  });

  it("is for admins and needs a well-formed request", async () => {
    await expect(validateProfile(fx.db, viewer, input())).rejects.toBeInstanceOf(ForbiddenError);
    await expect(validateProfile(fx.db, admin, "nonsense")).rejects.toBeInstanceOf(ValidationError);
    await expect(validateProfile(fx.db, admin, input({ tables: [] }))).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("testProfile and testTargetConnection", () => {
  it("re-runs the checks for a saved profile with its stored connection", async () => {
    const p = await createProfile(fx.db, admin, input({ name: "saved" }));
    expect((await testProfile(fx.db, viewer, p.id)).ok).toBe(true);
    await fx.db.profileTable.create({ data: { profileId: p.id, logicalName: "activitypointer" } });
    const r = await testProfile(fx.db, viewer, p.id);
    expect(r.ok).toBe(false);
    expect(byId(r).get("table:activitypointer")!.ok).toBe(false);
    await expect(testProfile(fx.db, viewer, crypto.randomUUID())).rejects.toBeInstanceOf(NotFoundError);
  });

  it("connects to a target and says what is missing", async () => {
    expect(await testTargetConnection(fx.db, admin, { destinationType: "sqlite", connectionString: `sqlite:${path.join(fx.dir, "t.db")}` })).toMatchObject({ ok: true });
    const dir = path.join(fx.dir, "nope");
    const bad = await testTargetConnection(fx.db, admin, { destinationType: "sqlite", connectionString: `sqlite:${dir}/t.db` });
    expect(bad.ok).toBe(false);
    expect(bad.message).toContain(dir);
    expect(fs.existsSync(dir)).toBe(false);
    await expect(testTargetConnection(fx.db, viewer, { destinationType: "sqlite", connectionString: "sqlite:x.db" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(testTargetConnection(fx.db, admin, { destinationType: "mssql", connectionString: "sqlite:x.db" })).rejects.toBeInstanceOf(ValidationError);
  });
});
