// Is the target the one the saved delta links describe? A profile's first export writes a
// generation id into the target (DataverseExportMarker) and into the store; every runner start
// (the supervisor restarts the runner with fresh connections after any transient error, so this
// covers reconnects too) and every delta cycle compares them. A missing or different marker — a
// changed connection string or Key Vault secret, a target restored from an older backup, an
// emptied database — means the target may lack anything the links already covered: every table
// is exported again from the start (and swept, see table-pipeline.ts).
import { randomUUID } from "node:crypto";
import type { Db } from "../db";
import type { Destination } from "../destinations/types";
import { REEXPORT, type ProfileRow } from "./profile-store";
import type { Logger } from "./table-pipeline";

/** Thrown when the marker changes under a running runner: the supervisor restarts it, and the start-up check re-exports. */
export class TargetChangedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetChangedError";
  }
}

/** Compares the marker with the store; returns the reason when every table was reset for a re-export. */
export async function verifyTargetMarker(db: Db, dest: Destination, profile: ProfileRow, log: Logger): Promise<string | null> {
  const marker = await dest.readMarker(profile.id);
  if (profile.targetGeneration && marker?.generation === profile.targetGeneration) return null;
  const generation = randomUUID();
  const exported = profile.tables.some((t) => t.deltaLink || t.resumeLink || t.initialSyncState !== "NotStarted");
  let reason: string | null = null;
  if (!profile.targetGeneration) {
    // First export — or a profile from before markers existed, whose target is trusted once.
    await db.profile.update({ where: { id: profile.id }, data: { targetGeneration: generation } });
  } else {
    reason = marker
      ? "Target changed (it holds another export of this profile, e.g. restored from an older backup): re-exporting"
      : "Target changed (no export marker: another database or an emptied one): re-exporting";
    // Store first, then the target: a crash in between leaves them different, so the next start
    // resets again (harmless) instead of trusting links the target may not hold.
    await db.$transaction([
      db.profileTable.updateMany({ where: { profileId: profile.id }, data: { ...REEXPORT(reason), initialDone: 0 } }),
      db.profile.update({ where: { id: profile.id }, data: { targetGeneration: generation } }),
    ]);
    for (const t of profile.tables) Object.assign(t, REEXPORT(reason), { initialDone: 0 });
    log.warn(`${reason}: every table is exported again from the start`);
  }
  profile.targetGeneration = generation;
  await dest.writeMarker({ profileId: profile.id, generation });
  if (!reason && exported) log.info("export marker written into the target");
  return reason;
}

/** Cheap per-cycle check: throws TargetChangedError when the marker no longer matches. */
export async function assertTargetUnchanged(dest: Destination, profileId: string, generation: string | null): Promise<void> {
  if (!generation) return;
  const marker = await dest.readMarker(profileId);
  if (marker?.generation !== generation) {
    throw new TargetChangedError(marker ? "The target's export marker changed while the profile ran; restarting to re-export." : "The target's export marker disappeared while the profile ran; restarting to re-export.");
  }
}
