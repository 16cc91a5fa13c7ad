import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { acceptPrivacyTerms } from "../organizations/service";
import { decryptSecret } from "../secrets";
import type { Worker } from "../sync/supervisor";
import { sqliteRows, waitFor, webApi } from "../sync/test-support";
import { failureLines, queryFailures } from "./failures";
import { parseKeyVaultSecretUrl } from "./key-vault";
import { ZProfileInput } from "./schemas";
import { activate, createProfile, deactivate, deleteProfile, resyncFailedRecords, resyncTable, updateProfile } from "./service";
import { getProfile, getThroughput, listProfiles } from "./status";
import { admin, fastWorker, setUp, viewer, type Fixture } from "./test-helpers";

let fx: Fixture;
let worker: Worker | undefined;

beforeAll(async () => {
  fx = await setUp(60, 11);
});
afterAll(async () => {
  await worker?.stop();
  await fx.close();
});

const input = (over: Record<string, unknown> = {}) => ({
  name: `p-${Math.random().toString(36).slice(2, 8)}`,
  organizationId: fx.orgId,
  destinationType: "sqlite",
  connectionString: `sqlite:${path.join(fx.dir, "target.db")}`,
  tables: ["account", "team"],
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe("createProfile before the privacy terms are accepted", () => {
  it("refuses, saying so, and writes nothing", async () => {
    const err = await rejection(createProfile(fx.db, admin, input()));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/privacy terms/);
    expect((err as ValidationError).fieldErrors.organizationId).toMatch(/privacy terms/);
    expect(await fx.db.profile.count()).toBe(0);
    await acceptPrivacyTerms(fx.db, admin, fx.orgId);
  });
});

describe("profile inputs", () => {
  it("applies the old product's defaults", () => {
    const p = ZProfileInput.parse(input());
    expect(p).toMatchObject({ schemaName: "dbo", prefix: "", retryCount: 12, retryIntervalSeconds: 5, writeDeleteLog: false, relationships: [] });
    expect(ZProfileInput.parse(input({ retryCount: "3", writeDeleteLog: "on", connectionString: "", keyVaultSecretUrl: "https://myvault.vault.azure.net/secrets/conn" }))).toMatchObject({ retryCount: 3, writeDeleteLog: true });
  });

  it.each([
    [{ name: "" }, "name"],
    [{ name: "x".repeat(101) }, "name"],
    [{ schemaName: "dbo;drop" }, "schemaName"],
    [{ schemaName: "s".repeat(65) }, "schemaName"],
    [{ prefix: "has space" }, "prefix"],
    [{ prefix: "p".repeat(15) }, "prefix"],
    [{ retryCount: 21 }, "retryCount"],
    [{ retryCount: 1.5 }, "retryCount"],
    [{ retryIntervalSeconds: 3601 }, "retryIntervalSeconds"],
    [{ retryIntervalSeconds: -1 }, "retryIntervalSeconds"],
    [{ tables: [] }, "tables"],
    [{ tables: ["acc ount"] }, "tables.0"],
    [{ destinationType: "oracle" }, "destinationType"],
    [{ organizationId: "x" }, "organizationId"],
    [{ connectionString: undefined }, "connectionString"],
    [{ keyVaultSecretUrl: "https://myvault.vault.azure.net/secrets/conn" }, "connectionString"],
    [{ connectionString: undefined, keyVaultSecretUrl: "https://example.com/secrets/conn" }, "keyVaultSecretUrl"],
    [{ writeDeleteLog: "maybe" }, "writeDeleteLog"],
  ])("%j is refused on %s, nothing written", async (over, field) => {
    const before = await fx.db.profile.count();
    const err = await rejection(createProfile(fx.db, admin, input(over)));
    expect(err).toBeInstanceOf(ValidationError);
    expect(Object.keys((err as ValidationError).fieldErrors)).toContain(field);
    expect(await fx.db.profile.count()).toBe(before);
  });

  it("checks the connection string against the target type without echoing it", async () => {
    const err = await rejection(createProfile(fx.db, admin, input({ destinationType: "postgres" })));
    expect((err as ValidationError).fieldErrors.connectionString).toMatch(/SQLite connection string, but the target type is PostgreSQL/);
    const bad = await rejection(createProfile(fx.db, admin, input({ destinationType: "postgres", connectionString: "postgres://u:Pa55word@:5432/db" })));
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad.message).not.toContain("Pa55word");
  });

  it("accepts Key Vault secret URLs of the right shape only", () => {
    expect(parseKeyVaultSecretUrl("https://my-vault.vault.azure.net/secrets/target-conn")).toEqual({ vaultUrl: "https://my-vault.vault.azure.net", name: "target-conn" });
    expect(parseKeyVaultSecretUrl("https://kv1.vault.azure.net/secrets/c/0123456789abcdef0123456789abcdef")).toEqual({ vaultUrl: "https://kv1.vault.azure.net", name: "c", version: "0123456789abcdef0123456789abcdef" });
    for (const bad of ["http://kv1.vault.azure.net/secrets/c", "https://kv1.vault.azure.net/keys/c", "https://kv1.evil.net/secrets/c", "https://kv1.vault.azure.net/secrets/", "https://kv1.vault.azure.net/secrets/c/notaversion"]) {
      expect(() => parseKeyVaultSecretUrl(bad), bad).toThrow(ValidationError);
    }
  });

  it("stores a Key Vault secret URL without reading the vault until activation", async () => {
    const kv = "https://myvault.vault.azure.net/secrets/target-conn";
    const p = await createProfile(fx.db, admin, input({ connectionString: undefined, keyVaultSecretUrl: kv }));
    expect(p).toMatchObject({ keyVaultSecretUrl: kv, hasConnectionString: true, state: "draft" });
    await deleteProfile(fx.db, admin, p.id);
  });
});

describe("the profile lifecycle against the emulator and a SQLite target", () => {
  const target = () => path.join(fx.dir, "journey.db");
  let id: string;

  it("creates a draft in one go, never returning the connection string", async () => {
    const p = await createProfile(fx.db, admin, input({ name: "Journey", connectionString: `sqlite:${target()}`, tables: ["account", "team", "lead"], relationships: ["accountleads_association"], prefix: "dx", retryCount: 0, retryIntervalSeconds: 0 }));
    id = p.id;
    expect(p).toMatchObject({ name: "Journey", state: "draft", tableCount: 4, hasConnectionString: true, organizationUrl: fx.emu.url, prefix: "dx", retryCount: 0, initialProgress: null, lagSeconds: null });
    expect(p.tableNames).toEqual(["account", "lead", "team"]);
    expect(p.relationshipNames).toEqual(["accountleads_association"]);
    expect(p.tables.every((t) => t.phase === "draft")).toBe(true);
    expect(JSON.stringify(p)).not.toContain(target());
    const row = await fx.db.profile.findUniqueOrThrow({ where: { id } });
    expect(row.destinationEnc).not.toContain(target());
    expect(decryptSecret(row.destinationEnc!)).toBe(`sqlite:${target()}`);
  });

  it("refuses a duplicate name, and viewers", async () => {
    const err = await rejection(createProfile(fx.db, admin, input({ name: "Journey" })));
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).field).toBe("name");
    await expect(createProfile(fx.db, viewer, input())).rejects.toBeInstanceOf(ForbiddenError);
    await expect(activate(fx.db, viewer, id, "all")).rejects.toBeInstanceOf(ForbiddenError);
    await expect(updateProfile(fx.db, viewer, id, { retryCount: 1 })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(deleteProfile(fx.db, viewer, id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(deactivate(fx.db, viewer, id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(resyncTable(fx.db, viewer, id, "team")).rejects.toBeInstanceOf(ForbiddenError);
    await expect(resyncFailedRecords(fx.db, viewer, id)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("activates; the worker exports every table; status and counters follow", async () => {
    worker = fastWorker(fx.db, fx.emu.token);
    const activating = await activate(fx.db, admin, id, "all");
    expect(activating.state).toBe("activating");
    const done = (await waitFor(async () => {
      const p = await getProfile(fx.db, viewer, id);
      return p.tables.every((t) => t.initialSyncState === "Completed") && p.state === "active" ? p : null;
    }, "initial export", 30_000))!;
    expect(sqliteRows(target(), "dx_account")).toHaveLength(60);
    expect(sqliteRows(target(), "dx_team")).toHaveLength(6);
    expect(sqliteRows(target(), "dx_accountleads").length).toBeGreaterThan(0);
    expect(done.tables.every((t) => t.phase === "in-sync" && t.metadataState === "Created")).toBe(true);
    expect(done.tables.find((t) => t.logicalName === "account")).toMatchObject({ initialDone: 60, successNotifications: 60, failureNotifications: 0 });
    expect(done.recordsSynced).toBeGreaterThanOrEqual(60 + 6 + 30);
    expect(done.initialProgress).toBeNull();
    expect(done.lagSeconds).not.toBeNull();
    const [summary] = await listProfiles(fx.db, viewer, { organizationId: fx.orgId, state: "active" });
    expect(summary).toMatchObject({ id, organizationName: "Contoso (demo)", destinationType: "sqlite", tableCount: 4 });
    expect(await listProfiles(fx.db, viewer, { state: "inactive" })).toEqual([]);
    await expect(listProfiles(fx.db, viewer, { state: "sleeping" })).rejects.toBeInstanceOf(ValidationError);
    const points = await getThroughput(fx.db, viewer, id, 60);
    expect(points.reduce((n, x) => n + x.written, 0)).toBeGreaterThan(0);
  });

  it("a poison record lands in the failure log; paging, filters and downloads find it", async () => {
    const t = new Database(target());
    t.exec(`create trigger poison before update on dx_account when new.name like 'POISON%' begin select raise(abort, 'rejected by trigger'); end;`);
    t.close();
    const api = webApi(fx.emu.url, fx.emu.token);
    const [bad] = await api.firstIds("accounts", "accountid", 1);
    await api.update("accounts", bad, { name: "POISON pill" });
    const page = (await waitFor(async () => {
      const r = await queryFailures(fx.db, viewer, { profileId: id });
      return r.entries.length ? r : null;
    }, "failure entry"))!;
    expect(page.entries[0]).toMatchObject({ profileId: id, profileName: "Journey", entity: "account", recordId: bad, changeType: "Update" });
    expect(page.entries[0].reason).toMatch(/rejected by trigger/);
    expect((await queryFailures(fx.db, viewer, { profileId: id, search: bad.toUpperCase() })).entries).toHaveLength(1);
    expect((await queryFailures(fx.db, viewer, { profileId: id, search: "by trigger" })).entries).toHaveLength(1);
    expect((await queryFailures(fx.db, viewer, { profileId: id, entity: "team" })).entries).toHaveLength(0);
    expect((await queryFailures(fx.db, viewer, { changeType: "Delete" })).entries).toHaveLength(0);
    expect((await queryFailures(fx.db, viewer, { from: new Date(Date.now() + 60_000).toISOString() })).entries).toHaveLength(0);
    expect((await queryFailures(fx.db, viewer, { from: new Date(Date.now() - 600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() })).entries).toHaveLength(1);
    expect((await queryFailures(fx.db, viewer, { to: new Date(Date.now() - 600_000).toISOString() })).entries).toHaveLength(0);
    const lines: string[] = [];
    for await (const l of await failureLines(fx.db, viewer, { profileId: id, format: "des" })) lines.push(l);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Entity: account, RecordId: ${bad}, NotificationTime: \\d{1,2}/\\d{1,2}/\\d{4} \\d{1,2}:\\d\\d:\\d\\d [AP]M, ChangeType: Update, FailureReason: .*rejected by trigger`));
    const csv: string[] = [];
    for await (const l of await failureLines(fx.db, viewer, { format: "csv" })) csv.push(l);
    expect(csv[0]).toBe("Profile,Entity,RecordId,NotificationTime,ChangeType,FailureReason");
    expect(csv[1]).toMatch(/^Journey,account,/);
    expect(await getProfile(fx.db, viewer, id)).toMatchObject({ failures: 1, failedRecords: 1 });
    await resyncFailedRecords(fx.db, admin, id);
    await expect(queryFailures(fx.db, viewer, { profileId: crypto.randomUUID() })).rejects.toBeInstanceOf(NotFoundError);
    await expect(queryFailures(fx.db, viewer, { limit: 500 })).rejects.toBeInstanceOf(ValidationError);
    await expect(queryFailures(fx.db, viewer, { cursor: "abc" })).rejects.toBeInstanceOf(ValidationError);
  });

  it("updates settings and tables; the target, schema and prefix stay once exported", async () => {
    const err = await rejection(updateProfile(fx.db, admin, id, { prefix: "other" }));
    expect((err as ValidationError).fieldErrors.prefix).toMatch(/cannot change/);
    const before = await getProfile(fx.db, viewer, id);
    const p = await updateProfile(fx.db, admin, id, { retryCount: 2, tables: ["account", "team", "contact"], relationships: [] });
    expect(p.version).toBe(before.version + 1);
    expect(p.retryCount).toBe(2);
    expect(p.tableNames).toEqual(["account", "contact", "team"]);
    expect(p.tables.find((t) => t.logicalName === "lead")).toMatchObject({ enabled: false, phase: "disabled" });
    await waitFor(async () => (await getProfile(fx.db, viewer, id)).tables.find((t) => t.logicalName === "contact")?.initialSyncState === "Completed", "added table exported", 30_000);
    expect(sqliteRows(target(), "dx_contact")).toHaveLength(60);
    await expect(resyncTable(fx.db, admin, id, "nosuchtable")).rejects.toBeInstanceOf(NotFoundError);
    await resyncTable(fx.db, admin, id, "team");
  });

  it("deactivates, then deletes the profile but not the target's data", async () => {
    const off = await deactivate(fx.db, admin, id);
    expect(off.state).toBe("inactive");
    await waitFor(() => worker!.running().length === 0, "runner stopped");
    await deleteProfile(fx.db, admin, id);
    await expect(getProfile(fx.db, viewer, id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await fx.db.profileTable.count({ where: { profileId: id } })).toBe(0);
    expect(sqliteRows(target(), "dx_account")).toHaveLength(60);
    await expect(deleteProfile(fx.db, admin, id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(activate(fx.db, admin, id, "all")).rejects.toBeInstanceOf(NotFoundError);
  });
});
