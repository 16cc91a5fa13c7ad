import { afterAll, describe, expect, it } from "vitest";
import { encryptSecret } from "../secrets";
import { makeStore } from "../sync/test-support";
import { describeProfileTarget } from "./target-description";

const { db, dir } = makeStore();
const viewer = { id: "v", email: "v@example.com", name: null, role: "viewer" as const };

afterAll(async () => {
  await db.$disconnect();
  (await import("node:fs")).rmSync(dir, { recursive: true, force: true });
});

async function profile(data: { destinationEnc?: string | null; destinationKeyVaultUri?: string | null }): Promise<string> {
  const org = await db.organization.upsert({ where: { url: "https://contoso.crm.dynamics.com" }, update: {}, create: { name: "Contoso", url: "https://contoso.crm.dynamics.com" } });
  const p = await db.profile.create({ data: { name: `p${Math.random()}`, organizationId: org.id, destinationType: "postgres", ...data } });
  return p.id;
}

describe("describeProfileTarget", () => {
  it("shows where the data goes without the password", async () => {
    const id = await profile({ destinationEnc: encryptSecret("postgres://exporter:S3cret!pw@db.example.com:5433/crm?sslmode=require") });
    const text = await describeProfileTarget(db, viewer, id);
    expect(text).toBe("postgres://exporter@db.example.com:5433/crm");
    expect(text).not.toContain("S3cret");
  });

  it("names an ADO.NET SQL Server target without its password", async () => {
    const id = await profile({ destinationEnc: encryptSecret("Server=tcp:sql.example.com,1433;Initial Catalog=crm;User ID=u;Password=hunter2;Encrypt=True") });
    const text = await describeProfileTarget(db, viewer, id);
    expect(text).toContain("sql.example.com");
    expect(text).not.toContain("hunter2");
  });

  it("points at the Key Vault secret instead of reading it", async () => {
    const url = "https://myvault.vault.azure.net/secrets/target";
    expect(await describeProfileTarget(db, viewer, await profile({ destinationKeyVaultUri: url }))).toBe(`the connection string in ${url}`);
  });

  it("says so when nothing can be shown", async () => {
    expect(await describeProfileTarget(db, viewer, await profile({}))).toBe("no target yet");
    expect(await describeProfileTarget(db, viewer, await profile({ destinationEnc: "not-encrypted" }))).toMatch(/cannot be decrypted/);
    await expect(describeProfileTarget(db, viewer, "00000000-0000-4000-8000-000000000000")).rejects.toThrow("does not exist");
  });
});
