// Key Vault secret URLs instead of inline connection strings. Azure itself is not reachable here:
// the SDK's SecretClient is replaced, so what is tested is our handling around it (when the vault
// is read, what is stored, how failures are explained, that nothing is half-written).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ValidationError } from "../errors";
import { acceptPrivacyTerms } from "../organizations/service";
import { decryptSecret } from "../secrets";
import { activate, createProfile, updateProfile } from "./service";
import { getProfile } from "./status";
import { admin, setUp, type Fixture } from "./test-helpers";

const vault = vi.hoisted(() => ({ secrets: new Map<string, string>(), reads: [] as string[], fail: null as null | { statusCode?: number; name?: string } }));
vi.mock("@azure/identity", () => ({ DefaultAzureCredential: class {} }));
vi.mock("@azure/keyvault-secrets", () => ({
  SecretClient: class {
    constructor(readonly vaultUrl: string) {}
    async getSecret(name: string, opts: { version?: string }) {
      vault.reads.push(`${this.vaultUrl}/${name}${opts.version ? `/${opts.version}` : ""}`);
      if (vault.fail) throw Object.assign(new Error("azure says no"), vault.fail);
      return { value: vault.secrets.get(name) };
    }
  },
}));

let fx: Fixture;
beforeAll(async () => {
  fx = await setUp(10, 1);
  await acceptPrivacyTerms(fx.db, admin, fx.orgId);
});
afterAll(() => fx.close());

const KV = "https://contoso-kv.vault.azure.net/secrets/target-conn";
const input = (over: Record<string, unknown> = {}) => ({ name: `kv-${Math.random().toString(36).slice(2, 7)}`, organizationId: fx.orgId, destinationType: "sqlite", keyVaultSecretUrl: KV, tables: ["team"], ...over });

describe("Key Vault secret URLs", () => {
  it("are not read to save a draft, and are read (and cached encrypted for the engine) at activation", async () => {
    vault.secrets.set("target-conn", `sqlite:${path.join(fx.dir, "kv.db")}`);
    vault.reads.length = 0;
    const p = await createProfile(fx.db, admin, input());
    expect(vault.reads).toEqual([]);
    expect((await fx.db.profile.findUniqueOrThrow({ where: { id: p.id } })).destinationEnc).toBeNull();
    await activate(fx.db, admin, p.id, "all");
    expect(vault.reads).toEqual(["https://contoso-kv.vault.azure.net/target-conn"]);
    const row = await fx.db.profile.findUniqueOrThrow({ where: { id: p.id } });
    expect(decryptSecret(row.destinationEnc!)).toBe(`sqlite:${path.join(fx.dir, "kv.db")}`);
    expect(JSON.stringify(await getProfile(fx.db, admin, p.id))).not.toContain("kv.db");
  });

  it("explain a vault that refuses, and leave nothing half-written", async () => {
    vault.fail = { statusCode: 403 };
    const before = await fx.db.profile.count();
    const err = await createProfile(fx.db, admin, input(), { activate: true }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors.keyVaultSecretUrl).toMatch(/Key Vault Secrets User/);
    expect(await fx.db.profile.count()).toBe(before);

    const draft = await createProfile(fx.db, admin, input());
    vault.fail = { statusCode: 404 };
    const missing = await activate(fx.db, admin, draft.id, "all").catch((e) => e);
    expect(missing.fieldErrors.keyVaultSecretUrl).toMatch(/does not exist/);
    expect((await getProfile(fx.db, admin, draft.id)).state).toBe("draft");
    vault.fail = { name: "CredentialUnavailableError" };
    expect((await activate(fx.db, admin, draft.id, "all").catch((e) => e)).message).toMatch(/no Azure identity/);
    vault.fail = null;
  });

  it("must hold a connection string of the profile's target type", async () => {
    vault.secrets.set("pg-conn", "postgres://u:secretpw@db.example.com/x");
    const err = await createProfile(fx.db, admin, input({ keyVaultSecretUrl: "https://contoso-kv.vault.azure.net/secrets/pg-conn" }), { activate: true }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors.keyVaultSecretUrl).toMatch(/PostgreSQL connection string, but the target type is SQLite/);
    expect(err.message).not.toContain("secretpw");
  });

  it("replace an inline connection string on update, read at once for a running profile", async () => {
    vault.secrets.set("v2", `sqlite:${path.join(fx.dir, "kv2.db")}`);
    const p = await createProfile(fx.db, admin, input({ keyVaultSecretUrl: undefined, connectionString: `sqlite:${path.join(fx.dir, "inline.db")}` }), { activate: true });
    const updated = await updateProfile(fx.db, admin, p.id, { keyVaultSecretUrl: "https://contoso-kv.vault.azure.net/secrets/v2/0123456789abcdef0123456789abcdef" });
    expect(updated.keyVaultSecretUrl).toMatch(/secrets\/v2\//);
    expect(vault.reads.at(-1)).toBe("https://contoso-kv.vault.azure.net/v2/0123456789abcdef0123456789abcdef");
    const row = await fx.db.profile.findUniqueOrThrow({ where: { id: p.id } });
    expect(decryptSecret(row.destinationEnc!)).toBe(`sqlite:${path.join(fx.dir, "kv2.db")}`);
  });
});
