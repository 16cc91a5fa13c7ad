// The organization's Entra app (client credentials) as the lake's credential. Azurite does not do
// Entra auth, so this checks the wiring: which credential is chosen, what a failed sign-in and a
// missing data role say (Azure's own 403 is reproduced), and what validation shows.
import { ClientSecretCredential } from "@azure/identity";
import { RestError, StorageSharedKeyCredential } from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import { BLOB_DATA_ROLE, explainStorageError } from "./blob-storage";
import { LakeDestination } from "./lake-destination";
import { parseLakeTarget } from "./lake-target";
import { openStorage } from "./open-storage";
import { LakeStorageError } from "./storage";

const creds = { tenantId: "11111111-1111-1111-1111-111111111111", clientId: "22222222-2222-2222-2222-222222222222", clientSecret: "s3cret-value" };
const credentialOf = (s: unknown) => (s as { container: { credential: unknown } }).container.credential;

describe("organization client credentials for Azure Storage", () => {
  it("a target with no key or SAS uses the organization's app (ClientSecretCredential); a key or SAS is used as given", async () => {
    const org = await openStorage(parseLakeTarget("abfss://dataverse-prod-contoso@acct1.dfs.core.windows.net/exports"), { credentials: creds });
    expect(credentialOf(org)).toBeInstanceOf(ClientSecretCredential);
    expect(org.display).toBe("https://acct1.blob.core.windows.net/dataverse-prod-contoso/exports");
    const key = await openStorage(parseLakeTarget(`https://acct1.blob.core.windows.net/c1x;AccountKey=${Buffer.alloc(64, 1).toString("base64")}`), { credentials: creds });
    expect(credentialOf(key)).toBeInstanceOf(StorageSharedKeyCredential);
    await expect(openStorage(parseLakeTarget("https://acct1.blob.core.windows.net/c1x"), { credentials: null })).rejects.toThrow(/No credentials for the storage account 'acct1'/);
  });

  it("a sign-in that fails (wrong tenant, client id or secret) is a credentials error naming the app, never the secret", async () => {
    // An authority nobody answers on: the token request fails as a wrong tenant would, offline.
    const storage = await openStorage(parseLakeTarget("https://acct1.blob.core.windows.net/c1x"), { credentials: creds, authorityHost: "https://127.0.0.1:9", maxTries: 1 });
    const err = await storage.probe().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(LakeStorageError);
    expect((err as Error).message).toContain(`client id ${creds.clientId}`);
    expect((err as Error).message).not.toContain(creds.clientSecret);
    // No answer from Entra ID at all is a reachability problem (retried), named as such.
    expect(err).toMatchObject({ code: "Unreachable" });
    expect((err as LakeStorageError).fix).toMatch(/login\.microsoftonline\.com/);
    // Entra ID answering that the secret is wrong (AADSTS7000215) is a credentials problem.
    const refused = Object.assign(new Error("AADSTS7000215: Invalid client secret provided."), { name: "AuthenticationError" });
    const e = explainStorageError(refused, "acct1", "c1x", creds.clientId) as LakeStorageError;
    expect(e).toMatchObject({ code: "AuthenticationFailed" });
    expect(e.message).toContain(`(client id ${creds.clientId}) could not sign in`);
    expect(e.fix).toMatch(/tenant id, client id and client secret/);
  }, 60_000);

  it("signed in but without the data role: Azure's 403 names 'Storage Blob Data Contributor' and where to grant it", async () => {
    const denied = new RestError("This request is not authorized to perform this operation using this permission.", { statusCode: 403, code: "AuthorizationPermissionMismatch" });
    const e = explainStorageError(denied, "acct1", "dataverse-prod-contoso", creds.clientId) as LakeStorageError;
    expect(e).toBeInstanceOf(LakeStorageError);
    expect(e.code).toBe("AuthorizationFailure");
    expect(e.message).toContain(`lacks the role '${BLOB_DATA_ROLE}'`);
    expect(e.message).toContain("dataverse-prod-contoso");
    expect(e.fix).toContain("Access control (IAM)");
    expect(e.fix).toContain(creds.clientId);
    // Validation shows it on the write check, the container having been reached.
    const storage = await openStorage(parseLakeTarget("https://acct1.blob.core.windows.net/dataverse-prod-contoso"), { credentials: creds });
    const dest = new LakeDestination(storage, { schemaName: "dbo", prefix: "", credentials: creds }, async () => {
      throw e;
    });
    const checks = await dest.validate();
    expect(checks.find((c) => c.id === "connect")).toMatchObject({ ok: true });
    expect(checks.find((c) => c.id === "permission:write")).toMatchObject({ ok: false, message: expect.stringContaining(BLOB_DATA_ROLE) });
  });
});
