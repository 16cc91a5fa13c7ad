// The engine into a data lake on Azure Blob Storage, through Azurite (Blob API only, as the lake
// writer uses everywhere). Skipped loudly when Azurite cannot start.
import { BlobServiceClient } from "@azure/storage-blob";
import { startAzurite, type RunningAzurite } from "../testing/azurite";
import { lakeEngineSuite } from "./lake-engine-suite";

lakeEngineSuite("sync engine → data lake on Azure Blob (Azurite)", async () => {
  const az: RunningAzurite | null = await startAzurite("lake engine tests on Azurite");
  if (!az) return null;
  const service = BlobServiceClient.fromConnectionString(az.connectionString);
  return {
    make: async (name) => {
      await service.getContainerClient(name).create();
      return az.target(name, "exports/dataverse");
    },
    close: () => az.close(),
  };
}, 240_000);
