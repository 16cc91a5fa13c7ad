import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ensureDataDir } from "../config/paths";

let cached: string | undefined;

/** NEXTAUTH_SECRET, or a random one kept in $DATA_DIR/auth.secret (0600) so sessions survive restarts. */
export function authSecret(): string {
  if (process.env.NEXTAUTH_SECRET) return process.env.NEXTAUTH_SECRET;
  if (cached) return cached;
  const file = path.join(ensureDataDir(), "auth.secret");
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  cached = fs.readFileSync(file, "utf8").trim();
  return cached;
}
