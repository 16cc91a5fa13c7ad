import crypto from "node:crypto";
import bcrypt from "bcryptjs";

// bcrypt reads only the first 72 bytes; pre-hashing keeps every character of a long
// passphrase significant. base64 of SHA-256 is 44 bytes, with no NUL bytes.
function prehash(password: string): string {
  return crypto.createHash("sha256").update(password, "utf8").digest("base64");
}

export async function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(prehash(password), 12);
}

export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash) return false;
  return bcrypt.compare(prehash(password), hash);
}

/** A dummy hash so that an unknown email costs as much time as a wrong password. */
export const TIMING_HASH = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuQ5Fq8xvzFQ6bRz5U0Pq0dS4yNn1Q5eW";
