// A `sqlite:` target must never be one of the portal's own files: an export would CREATE and ALTER
// tables inside the portal store (or overwrite its key file). Checked where a target is accepted
// (validation, create/update, the CLI) and again where one is opened (defence in depth).
import fs from "node:fs";
import path from "node:path";
import { dataDir, databaseUrl } from "../config/paths";

/** The files in DATA_DIR the portal writes itself (the store's journal files included). */
const OWNED_IN_DATA_DIR = ["portal.db", "portal.db-wal", "portal.db-shm", "portal.db-journal", "encryption.key", "auth.secret"];

export class PortalFileTargetError extends Error {
  constructor(readonly file: string, readonly owned: string) {
    super(
      `The SQLite target ${file} is the portal's own file ${owned}: exporting there would change the portal's store. Choose another file (for example sqlite:${path.join(dataDir(), "export.db")}).`,
    );
    this.name = "PortalFileTargetError";
  }
}

/** The store's SQLite file when DATABASE_URL is `file:…` (resolved like lib/store/migrate.ts). */
function storeFile(): string | null {
  const url = databaseUrl();
  if (!url.startsWith("file:")) return null;
  return path.resolve(url.slice("file:".length).split("?")[0]);
}

/** The real path of `file`: symlinks followed; for a file not created yet, its folder's real path. */
function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    const dir = path.dirname(file);
    if (dir === file) return file;
    return path.join(realPath(dir), path.basename(file));
  }
}

function portalFiles(): string[] {
  const files = OWNED_IN_DATA_DIR.map((n) => path.join(dataDir(), n));
  const store = storeFile();
  if (store) files.push(store, `${store}-wal`, `${store}-shm`, `${store}-journal`);
  return files;
}

/** The portal file `file` is (same real path, or the same inode: a hard link), else null. */
export function portalFileOf(file: string): string | null {
  if (file === ":memory:") return null;
  const real = realPath(path.resolve(file));
  const stat = statOrNull(real);
  for (const owned of portalFiles()) {
    const ownedReal = realPath(owned);
    if (ownedReal === real) return owned;
    const o = stat && statOrNull(ownedReal);
    if (stat && o && o.dev === stat.dev && o.ino === stat.ino) return owned;
  }
  return null;
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

/** Throws PortalFileTargetError when `file` (a SQLite target's path) is one of the portal's files. */
export function assertNotPortalFile(file: string): void {
  const owned = portalFileOf(file);
  if (owned) throw new PortalFileTargetError(path.resolve(file), owned);
}
