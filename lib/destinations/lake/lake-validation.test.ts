// Bad lake targets give a clear message and write nothing: malformed URL, wrong key, missing
// container, no permission (a read-only SAS), unreachable endpoint — against Azurite.
import { BlobServiceClient, ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTarget, targetKind } from "../../sync/open-target";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type RunningAzurite } from "../../testing/azurite";

let az: RunningAzurite | null;
let service: BlobServiceClient;
const options = { schemaName: "dbo", prefix: "" };

beforeAll(async () => {
  az = await startAzurite("lake validation tests on Azurite");
  if (!az) return;
  service = BlobServiceClient.fromConnectionString(az.connectionString);
  await service.getContainerClient("present").create();
}, 60_000);
afterAll(async () => {
  await az?.close();
});

const blobsIn = async (container: string) => {
  const out: string[] = [];
  for await (const b of service.getContainerClient(container).listBlobsFlat()) out.push(b.name);
  return out;
};
const checks = async (target: string) => {
  const dest = await openTarget(target, options);
  try {
    return await dest.validate();
  } finally {
    await dest.close();
  }
};

describe("data lake target validation", () => {
  it("a malformed target names the accepted forms", async () => {
    await expect(targetKind("abfss://nothing-here")).rejects.toThrow(/abfss:\/\/CONTAINER@ACCOUNT\.dfs\.core\.windows\.net.*Accepted data lake targets/);
    await expect(targetKind("https://acct1.blob.core.windows.net/")).rejects.toThrow(/names no container/);
  });

  it("a good target passes: container reached, probe blob written and removed", async (ctx) => {
    if (!az) return ctx.skip();
    const c = await checks(az.target("present"));
    expect(c.filter((x) => !x.ok)).toEqual([]);
    expect(c.map((x) => x.id)).toEqual(["connect", "permission:write"]);
    expect(await blobsIn("present")).toEqual([]);
  });

  it("a wrong key: the credentials are refused, nothing written", async (ctx) => {
    if (!az) return ctx.skip();
    const wrong = Buffer.alloc(64, 7).toString("base64");
    const c = await checks(az.target("present").replace(AZURITE_KEY, wrong));
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ id: "connect", ok: false });
    expect(c[0].message).toMatch(/refused the credentials/);
    expect(c[0].message).not.toContain(wrong);
    expect(await blobsIn("present")).toEqual([]);
  });

  it("a missing container is named, with how to create it", async (ctx) => {
    if (!az) return ctx.skip();
    const c = await checks(az.target("absent-container"));
    expect(c[0]).toMatchObject({ id: "connect", ok: false });
    expect(c[0].message).toContain("'absent-container' does not exist");
    expect(c[0].fix).toMatch(/Create the container 'absent-container'/);
    expect(await service.getContainerClient("absent-container").exists()).toBe(false);
  });

  it("no permission to write names the role to grant, nothing written", async (ctx) => {
    if (!az) return ctx.skip();
    const sas = generateBlobSASQueryParameters(
      { containerName: "present", permissions: ContainerSASPermissions.parse("rl"), expiresOn: new Date(Date.now() + 3_600_000) },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    ).toString();
    const c = await checks(`BlobEndpoint=${az.blobEndpoint};SharedAccessSignature=${sas};Container=present`);
    expect(c.find((x) => x.id === "connect")?.ok).toBe(true);
    const write = c.find((x) => x.id === "permission:write")!;
    expect(write.ok).toBe(false);
    expect(write.fix).toContain("Storage Blob Data Contributor");
    expect(await blobsIn("present")).toEqual([]);
  });

  it("an unreachable endpoint says so", async (ctx) => {
    if (!az) return ctx.skip();
    const c = await checks(az.target("present").replace(/127\.0\.0\.1:\d+/, "127.0.0.1:9"));
    expect(c[0]).toMatchObject({ id: "connect", ok: false });
    expect(c[0].message).toMatch(/Cannot reach|ECONNREFUSED/);
  }, 60_000);
});
