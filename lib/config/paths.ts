import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let root: string | null = null;
/**
 * The project's folder (prisma/, package.json, node_modules): the nearest folder up from this
 * module holding the project's package.json. The same from the TypeScript sources (tsx, Vitest,
 * Next.js, which keeps a module's source location) and from the compiled bundles in dist/.
 */
export function projectRoot(): string {
  if (root) return root;
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "dataverse-export") return (root = dir);
    if (path.dirname(dir) === dir) throw new Error(`cannot find the dataverse-export folder above ${fileURLToPath(import.meta.url)}`);
  }
}

/** Where the portal keeps its own files (store, key file). */
export function dataDir(): string {
  return path.resolve(process.env.DATA_DIR || "./data");
}

/**
 * The data folder, created when missing. It holds password hashes, secrets and (often) exported
 * CRM data: owner-only (0700), tightened on every start for installs made before this rule.
 */
export function ensureDataDir(): string {
  const dir = dataDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  ownerOnly(dir, 0o700);
  return dir;
}

/** chmod, where the file system allows it (some mounts ignore modes; that is not fatal). */
export function ownerOnly(file: string, mode = 0o600): void {
  try {
    fs.chmodSync(file, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") console.warn(`[paths] could not restrict ${file} to mode ${mode.toString(8)}: ${(err as Error).message}`);
  }
}

/** Creates an empty file readable by its owner only, unless it exists (SQLite then uses it as is). */
export function createOwnerOnly(file: string): void {
  try {
    fs.writeFileSync(file, "", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

/** The portal store: DATABASE_URL when set, else SQLite at $DATA_DIR/portal.db. */
export function databaseUrl(): string {
  return process.env.DATABASE_URL || `file:${path.join(dataDir(), "portal.db")}`;
}
