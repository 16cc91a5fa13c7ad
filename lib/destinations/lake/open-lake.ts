// Opens a data lake Destination without connecting (the first operation or validate() does).
import type { Destination, DestinationOptions } from "../types";
import { LakeDestination } from "./lake-destination";
import type { ParsedLake } from "./lake-target";
import { openStorage } from "./open-storage";

export async function openLakeDestination(target: ParsedLake, options: DestinationOptions): Promise<Destination> {
  // Validation probes with one attempt per request: a wrong endpoint should fail in seconds.
  const probe = async () => (await openStorage(target, { credentials: options.credentials, maxTries: 1 })).probe();
  if (options.lake?.format === "delta") {
    const { DeltaDestination } = await import("./delta/delta-destination");
    return new DeltaDestination(await openStorage(target, { credentials: options.credentials }), options, probe);
  }
  return new LakeDestination(await openStorage(target, { credentials: options.credentials }), options, probe);
}
