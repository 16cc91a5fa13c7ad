// Defect 7 of issue 10: a `sqlite:` target must never be the portal's own store (or another file
// the portal owns in DATA_DIR) — refused by validation, the services, the CLI and the runner.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as cliSync } from "../cli/commands/sync";
import { ValidationError } from "../errors";
import { acceptPrivacyTerms } from "../organizations/service";
import { encryptSecret } from "../secrets";
import { runProfile } from "../sync/profile-runner";
import { PortalFileTargetError, portalFileOf } from "../sync/portal-files";
import { classifyError } from "../sync/retry-policy";
import { createProfile, updateProfile } from "./service";
import { admin, setUp, type Fixture } from "./test-helpers";
import { validateProfile } from "./validation";

let fx: Fixture;
let store: string;
beforeAll(async () => {
  fx = await setUp(10, 3);
  await acceptPrivacyTerms(fx.db, admin, fx.orgId);
  store = path.join(fx.dir, "portal.db");
  expect(fs.existsSync(store)).toBe(true);
});
afterAll(() => fx.close());

const input = (target: string, over: Record<string, unknown> = {}) => ({
  name: `pt-${Math.random().toString(36).slice(2, 8)}`,
  organizationId: fx.orgId,
  destinationType: "sqlite",
  connectionString: `sqlite:${target}`,
  tables: ["account"],
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe("portalFileOf", () => {
  it("knows the store by path, through a symlink, a hard link and a relative path; not a free file in DATA_DIR", () => {
    expect(portalFileOf(store)).toBe(store);
    const link = path.join(fx.dir, "innocent.db");
    fs.symlinkSync(store, link);
    expect(portalFileOf(link)).toBe(store);
    const hard = path.join(fx.dir, "hard.db");
    fs.linkSync(store, hard);
    expect(portalFileOf(hard)).toBe(store);
    expect(portalFileOf(path.relative(process.cwd(), store))).toBe(store);
    // A symlinked folder pointing at DATA_DIR, and a portal file that does not exist yet.
    const dirLink = path.join(path.dirname(fx.dir), `dirlink-${path.basename(fx.dir)}`);
    fs.symlinkSync(fx.dir, dirLink);
    expect(portalFileOf(path.join(dirLink, "portal.db"))).toBe(store);
    expect(portalFileOf(path.join(dirLink, "auth.secret"))).toBe(path.join(fx.dir, "auth.secret"));
    expect(portalFileOf(path.join(fx.dir, "portal.db-wal"))).toBe(path.join(fx.dir, "portal.db-wal"));
    expect(portalFileOf(path.join(fx.dir, "export.db"))).toBeNull();
    expect(portalFileOf(":memory:")).toBeNull();
  });
});

describe("a target that is the portal store", () => {
  it("fails validation with a clear message", async () => {
    const r = await validateProfile(fx.db, admin, input(store));
    expect(r.ok).toBe(false);
    const c = r.checks.find((x) => x.id === "target:connection-string");
    expect(c).toMatchObject({ ok: false, detail: expect.stringMatching(/portal's own file .*portal\.db/) });
  });

  it("is refused by create and by update (portal edit / REST PUT), through a symlink too", async () => {
    const link = path.join(fx.dir, "via-link.db");
    fs.symlinkSync(store, link);
    const created = await rejection(createProfile(fx.db, admin, input(link)));
    expect(created).toBeInstanceOf(ValidationError);
    expect(created.message).toMatch(/portal's own file/);
    const ok = await createProfile(fx.db, admin, input(path.join(fx.dir, "export.db")));
    const updated = await rejection(updateProfile(fx.db, admin, ok.id, { connectionString: `sqlite:${store}` }));
    expect(updated).toBeInstanceOf(ValidationError);
    expect(updated.message).toMatch(/portal's own file/);
  });

  it("is refused by the CLI before anything is written", async () => {
    const errors: string[] = [];
    const e = console.error;
    console.error = (m: string) => void errors.push(m);
    try {
      const code = await cliSync(["--name", "cli-store", "--source", fx.emu.url, "--token", fx.emu.token, "--target", `sqlite:${store}`, "--tables", "account", "--once"]);
      expect(code).toBe(1);
    } finally {
      console.error = e;
    }
    expect(errors.join("\n")).toMatch(/portal's own file/);
    expect(await fx.db.profile.findUnique({ where: { name: "cli-store" } })).toBeNull();
  });

  it("is refused by the runner (a profile stored before this check existed): a config error, nothing written", async () => {
    const p = await fx.db.profile.create({
      data: {
        name: "old-store-target", organizationId: fx.orgId, destinationType: "sqlite", destinationEnc: encryptSecret(`sqlite:${store}`),
        metadataActive: true, dataActive: true, tables: { create: [{ logicalName: "account" }] },
      },
    });
    const err = await rejection(runProfile(p.id, { db: fx.db }, { signal: new AbortController().signal, once: true }));
    expect(err).toBeInstanceOf(PortalFileTargetError);
    expect(classifyError(err)).toBe("config");
    const tables = await fx.db.$queryRawUnsafe<{ name: string }[]>("select name from sqlite_master where name like '%account%'");
    expect(tables).toEqual([]);
  });
});
