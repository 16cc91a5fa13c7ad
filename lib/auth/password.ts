import crypto from "node:crypto";
import { bcryptPool } from "./bcrypt-pool";

// bcrypt reads only the first 72 bytes; pre-hashing keeps every character of a long
// passphrase significant. base64 of SHA-256 is 44 bytes, with no NUL bytes.
function prehash(password: string): string {
  return crypto.createHash("sha256").update(password, "utf8").digest("base64");
}

const COST = 12;

// Cost 12 is ~300 ms of CPU: run on the main thread it would stall every other request, so the
// hashing runs in worker threads (lib/auth/bcrypt-pool.ts).
export async function hashPassword(password: string, cost = COST): Promise<string> {
  return (await bcryptPool().run({ op: "hash", password: prehash(password), cost })) as string;
}

export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash) return false;
  return (await bcryptPool().run({ op: "compare", password: prehash(password), hash })) as boolean;
}

/** A dummy hash so that an unknown email costs as much time as a wrong password. */
export const TIMING_HASH = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuQ5Fq8xvzFQ6bRz5U0Pq0dS4yNn1Q5eW";
