// What `npm start` prepares before the web server and the worker come up: the store (migrations),
// the first admin, and the demo organization when the local emulator runs. No Next.js here: the
// start script loads this through tsx.
import { createDb, type Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import { checkEncryptionKey } from "../secrets/key-check";
import { migrateStore } from "../store/migrate";
import { ensureFirstAdmin, type BootstrapResult } from "../users/bootstrap";

export type EmulatorMode = "on" | "off" | "auto";

export function emulatorMode(value = process.env.DATAVERSE_EMULATOR): EmulatorMode {
  const v = (value ?? "auto").trim().toLowerCase();
  if (v === "on" || v === "off" || v === "auto") return v;
  throw new Error(`DATAVERSE_EMULATOR must be on, off or auto, got "${value}"`);
}

export interface PreparedStore {
  db: Db;
  admin: BootstrapResult;
  /** Organizations an admin registered (not the demo one). */
  realOrganizations: number;
}

export async function prepareStore(): Promise<PreparedStore> {
  migrateStore();
  const db = createDb();
  // Before anything is encrypted: a start with the wrong key stops here, saying which key.
  await checkEncryptionKey(db);
  const admin = await ensureFirstAdmin(db);
  const realOrganizations = await db.organization.count({ where: { isDemo: false } });
  return { db, admin, realOrganizations };
}

/** "auto" runs the emulator until an admin has registered a real Dataverse environment. */
export function shouldRunEmulator(mode: EmulatorMode, realOrganizations: number): boolean {
  return mode === "on" || (mode === "auto" && realOrganizations === 0);
}

/** Registers (or refreshes) "Contoso (demo)" for a running emulator; WhoAmI gives its org id. */
export async function registerDemoOrganization(db: Db, url: string, token: string): Promise<void> {
  const who = await new DataverseClient({ url, token }).whoAmI();
  const { ensureDemoOrganization } = await import("../organizations/demo");
  await ensureDemoOrganization(db, { url, token, orgId: who.organizationId });
}
