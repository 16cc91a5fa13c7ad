// The OpenAPI document validates, describes exactly the route files under app/crm/exporter, and
// uses the field names the handlers read and write.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";

process.env.DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-swagger-"));
delete process.env.DATABASE_URL;
delete process.env.PUBLIC_URL;
delete process.env.NEXTAUTH_URL;

const { GET } = await import("./swagger.json/route");
const { documentedOperations } = await import("@/lib/api/openapi");
const { DES_FIELDS, desOrganization, desProfile } = await import("@/lib/api/des-shapes");

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? routeFiles(p) : e.name === "route.ts" ? [p] : [];
  });
}

async function document(): Promise<Obj> {
  const res = GET(new Request("http://docs.test/crm/exporter/swagger.json"));
  expect(res.status).toBe(200);
  return (await res.json()) as Obj;
}

describe("/crm/exporter/swagger.json", () => {
  it("is a valid OpenAPI 3 document", async () => {
    const doc = await document();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.servers).toEqual([{ url: "http://docs.test" }]);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it("describes exactly the route handlers on disk, method by method", async () => {
    const root = import.meta.dirname;
    const onDisk: string[] = [];
    for (const file of routeFiles(root)) {
      const rel = path.relative(root, path.dirname(file)).split(path.sep).map((s) => s.replace(/^\[(\w+)\]$/, "{$1}")).join("/");
      const mod = (await import(file)) as Obj;
      for (const m of METHODS) if (typeof mod[m] === "function") onDisk.push(`${m} /crm/exporter/${rel}`);
    }
    expect(onDisk.length).toBeGreaterThanOrEqual(20);
    expect(documentedOperations()).toEqual(onDisk.sort());
    const doc = await document();
    expect(Object.entries(doc.paths as Obj).flatMap(([p, ops]) => Object.keys(ops as Obj).map((m) => `${m.toUpperCase()} ${p}`)).sort()).toEqual(onDisk.sort());
  });

  it("uses the field names the handlers read and write", async () => {
    const schemas = (await document()).components.schemas as Obj;
    const requestFields = Object.values(DES_FIELDS).map((f) => f.split(".")[0]).filter((f) => f !== "organizationUrl");
    expect(Object.keys(schemas.ProfileRequest.properties).sort()).toEqual([...new Set(requestFields)].sort());
    expect(Object.keys(schemas.ProfileUpdate.properties).sort()).toEqual([...new Set(requestFields)].filter((f) => f !== "OrganizationId").sort());
    expect(schemas.ProfileRequest.required.sort()).toEqual(["DestinationType", "Entities", "Name", "OrganizationId"]);

    const table = {
      logicalName: "account", kind: "entity" as const, enabled: true, phase: "in-sync" as const, metadataState: "Created", initialSyncState: "Completed",
      initialDone: 1, initialTotal: 1, totalNotifications: 1, successNotifications: 1, failureNotifications: 0, lastChangeAt: null, lastExportDate: null, lastError: null, reexportReason: null, lagSeconds: 1,
    };
    const profile = desProfile({
      id: crypto.randomUUID(), name: "n", state: "active", organizationId: crypto.randomUUID(), organizationName: "o", destinationType: "sqlite", tableCount: 1,
      lastSyncAt: null, lagSeconds: null, recordsSynced: 1, failures: 0, initialProgress: null, version: 1, organizationUrl: "https://o", schemaName: "dbo",
      prefix: "", retryCount: 12, retryIntervalSeconds: 5, writeDeleteLog: false, keyVaultSecretUrl: null, hasConnectionString: true, connection: null, metadataActive: true,
      dataActive: true, lastError: null, failedRecords: 0, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), tableNames: ["account"],
      relationshipNames: [], tables: [table],
      owner: { workerId: "w", host: "h", pid: 1, role: "worker", epoch: 3, heartbeatAt: new Date().toISOString() },
    }, true);
    expect(Object.keys((profile.Status as Obj).Owner as Obj).sort()).toEqual(Object.keys(schemas.Profile.properties.Status.properties.Owner.properties ?? schemas.Profile.properties.Status.properties.Owner.anyOf?.[0]?.properties ?? {}).sort());
    expect(Object.keys(profile).sort()).toEqual(Object.keys(schemas.Profile.properties).sort());
    expect(Object.keys(profile.Status as Obj).sort()).toEqual(Object.keys(schemas.Profile.properties.Status.properties).sort());
    expect(Object.keys((profile.Entities as Obj[])[0].Status).sort()).toEqual(Object.keys(schemas.EntityStatus.properties).sort());
    const org = desOrganization({ id: "i", name: "n", url: "u", dataverseOrgId: null, isDemo: false, authKind: "token", tenantId: null, clientId: null, privacyAcceptedAt: null, privacyAcceptedBy: null, profileCount: 0, secretReadable: true, clientSecretExpiresOn: null }, "c");
    expect(Object.keys(org).sort()).toEqual(Object.keys(schemas.Organization.properties).sort());
  });
});
