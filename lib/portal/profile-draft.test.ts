import { describe, expect, it } from "vitest";
import { emptyDraft, keepRelationships, parseDraft, serializeDraft, stepErrors, toProfileInput, type ProfileDraft } from "./profile-draft";

const ORG = "6f1c1c8e-4b2a-4c1e-9a57-0d2f5b8e9a10";

function filled(): ProfileDraft {
  const d = emptyDraft({ organizationId: ORG, connectionString: "sqlite:/tmp/x.db" });
  d.properties.name = "Sales copy";
  return d;
}

describe("profile draft", () => {
  it("accepts the defaults once a name, organization and target are given", () => {
    expect(stepErrors(emptyDraft(), 0)).toMatchObject({ name: "Enter a profile name.", organizationId: expect.any(String), connectionString: expect.any(String) });
    expect(stepErrors(filled(), 0)).toEqual({});
  });

  it("names each bad property with the DES limit", () => {
    const d = filled();
    Object.assign(d.properties, { name: "n".repeat(101), schemaName: "dbo;drop", prefix: "p".repeat(15), retryCount: "21", retryIntervalSeconds: "-1" });
    const errors = stepErrors(d, 0);
    expect(errors.name).toMatch(/100 characters/);
    expect(errors.schemaName).toMatch(/letters and digits/);
    expect(errors.prefix).toMatch(/under 15/);
    expect(errors.retryCount).toMatch(/0 to 20/);
    expect(errors.retryIntervalSeconds).toMatch(/0 to 3600/);
  });

  it("reports a missing Key Vault URL on the Key Vault field", () => {
    const d = filled();
    d.properties.targetSource = "keyVault";
    expect(stepErrors(d, 0)).toEqual({ keyVaultSecretUrl: expect.any(String) });
    d.properties.keyVaultSecretUrl = "https://myvault.vault.azure.net/secrets/target";
    expect(stepErrors(d, 0)).toEqual({});
    expect(toProfileInput(d)).toMatchObject({ keyVaultSecretUrl: d.properties.keyVaultSecretUrl, connectionString: undefined });
  });

  it("uses a named connection instead of a connection string, and reports a missing one on its field", () => {
    const d = filled();
    d.properties.targetSource = "connection";
    expect(stepErrors(d, 0)).toEqual({ connectionId: expect.any(String) });
    d.properties.connectionId = "0b6a3f7e-2c1d-4e5f-8a9b-1c2d3e4f5a6b";
    expect(stepErrors(d, 0)).toEqual({});
    expect(toProfileInput(d)).toMatchObject({ connectionId: d.properties.connectionId, connectionString: undefined, keyVaultSecretUrl: undefined });
    const contributor = emptyDraft({ organizationId: ORG, connection: { id: d.properties.connectionId, destinationType: "datalake" } });
    expect(contributor.properties).toMatchObject({ targetSource: "connection", connectionId: d.properties.connectionId, destinationType: "datalake" });
    expect(parseDraft(serializeDraft({ ...contributor, properties: { ...contributor.properties, name: "x" } }))?.properties.connectionId).toBe(d.properties.connectionId);
  });

  it("needs a table before the relationships step", () => {
    const d = filled();
    expect(stepErrors(d, 1)).toEqual({ tables: "Choose at least one table." });
    d.tables = ["account"];
    expect(stepErrors(d, 1)).toEqual({});
  });

  it("keeps only relationships among the chosen tables", () => {
    const d = filled();
    d.tables = ["account", "lead"];
    d.relationships = ["accountleads_association", "contactleads_association"];
    const available = [
      { schemaName: "accountleads_association", entity1: "account", entity2: "lead" },
      { schemaName: "contactleads_association", entity1: "contact", entity2: "lead" },
    ];
    expect(keepRelationships(d, available)).toEqual(["accountleads_association"]);
    d.tables = ["account"];
    expect(keepRelationships(d, available)).toEqual([]);
  });

  it("round-trips a draft but never stores a server connection string", () => {
    const d = filled();
    d.step = 2;
    d.tables = ["account"];
    expect(parseDraft(serializeDraft(d))).toEqual(d);
    d.properties.destinationType = "postgres";
    d.properties.connectionString = "postgres://u:secret@h/db";
    const stored = serializeDraft(d);
    expect(stored).not.toContain("secret");
    expect(parseDraft(stored)?.properties.connectionString).toBe("");
  });

  it("comes back at validation, not past it", () => {
    const d = filled();
    d.step = 4;
    expect(parseDraft(serializeDraft(d))?.step).toBe(3);
  });

  it("ignores storage that is not a draft", () => {
    expect(parseDraft(null)).toBeNull();
    expect(parseDraft("{not json")).toBeNull();
    expect(parseDraft(JSON.stringify({ step: 9 }))).toBeNull();
  });

  it("a data lake draft carries its options, checks them, and keeps only a folder target between visits", () => {
    const d = filled();
    Object.assign(d.properties, { destinationType: "datalake", connectionString: "lake:/srv/lake", lakeMode: "inPlace", lakePartition: "Month", lakeSnapshotMinutes: "15", lakeSnapshotKeep: "3" });
    expect(stepErrors(d, 0)).toEqual({});
    expect(toProfileInput(d)).toMatchObject({ destinationType: "datalake", lakeMode: "inPlace", lakePartition: "Month", lakeSnapshotMinutes: "15", lakeSnapshotKeep: "3", lakeIncrementalFolders: false });
    expect(parseDraft(serializeDraft(d))?.properties).toMatchObject({ connectionString: "lake:/srv/lake", lakeMode: "inPlace", lakeSnapshotKeep: "3" });
    d.properties.connectionString = "abfss://dataverse-x-y@acct1.dfs.core.windows.net;AccountKey=c2VjcmV0";
    expect(parseDraft(serializeDraft(d))?.properties.connectionString).toBe("");
    Object.assign(d.properties, { lakeSnapshotMinutes: "-1", lakeSnapshotKeep: "0" });
    expect(stepErrors(d, 0)).toMatchObject({ lakeSnapshotMinutes: expect.stringMatching(/0 to 10080/), lakeSnapshotKeep: expect.stringMatching(/1 to 1000/) });
    // A SQL draft sends no lake options; a draft stored before they existed gets the defaults.
    expect(toProfileInput(filled())).not.toHaveProperty("lakeMode");
    const old = JSON.parse(serializeDraft(filled()));
    for (const k of ["lakeMode", "lakePartition", "lakeSnapshotMinutes", "lakeSnapshotKeep", "lakeIncrementalFolders"]) delete old.properties[k];
    expect(parseDraft(JSON.stringify(old))?.properties).toMatchObject({ lakeMode: "appendOnly", lakePartition: "Year", lakeSnapshotMinutes: "60", lakeSnapshotKeep: "5", lakeFormat: "csv" });
  });

  it("a Delta lake draft carries the format and its compaction / vacuum / retention settings, checked", () => {
    const d = filled();
    Object.assign(d.properties, { destinationType: "datalake", connectionString: "lake:/srv/lake", lakeFormat: "delta", lakeDeltaCompactMinutes: "30", lakeDeltaVacuumMinutes: "720", lakeDeltaRetentionHours: "48" });
    expect(stepErrors(d, 0)).toEqual({});
    expect(toProfileInput(d)).toMatchObject({ lakeFormat: "delta", lakeDeltaCompactMinutes: "30", lakeDeltaVacuumMinutes: "720", lakeDeltaRetentionHours: "48" });
    expect(parseDraft(serializeDraft(d))?.properties).toMatchObject({ lakeFormat: "delta", lakeDeltaRetentionHours: "48" });
    Object.assign(d.properties, { lakeDeltaRetentionHours: "-1" });
    expect(stepErrors(d, 0)).toMatchObject({ lakeDeltaRetentionHours: expect.stringMatching(/0 to 8760/) });
  });
});
