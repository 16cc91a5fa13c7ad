// AES-256-GCM for connection strings and client secrets at rest. The key comes from
// APP_ENCRYPTION_KEY, or from a key file made once in DATA_DIR (mode 0600).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ensureDataDir } from "../config/paths";

const VERSION = "v1";
const KEY_FILE = "encryption.key";

export class SecretDecryptionError extends Error {
  constructor() {
    super("A stored secret could not be decrypted: it was changed, or APP_ENCRYPTION_KEY differs from the key it was written with.");
    this.name = "SecretDecryptionError";
  }
}

/** Accepts 32 bytes as base64 or 64 hex characters; any other text is stretched with SHA-256. */
export function parseKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, "hex");
  const b64 = Buffer.from(t, "base64");
  if (b64.length === 32 && /^[A-Za-z0-9+/=_-]+$/.test(t)) return b64;
  return crypto.createHash("sha256").update(t, "utf8").digest();
}

let cachedKey: { source: string; key: Buffer } | undefined;

/** The key in force: APP_ENCRYPTION_KEY, else $DATA_DIR/encryption.key (created 0600 when missing). */
export function encryptionKey(): Buffer {
  const env = process.env.APP_ENCRYPTION_KEY;
  const source = env ? `env:${env}` : `file:${path.join(ensureDataDir(), KEY_FILE)}`;
  if (cachedKey?.source === source) return cachedKey.key;
  const key = env ? parseKey(env) : loadOrCreateKeyFile(source.slice(5));
  cachedKey = { source, key };
  return key;
}

function loadOrCreateKeyFile(file: string): Buffer {
  try {
    return parseKey(fs.readFileSync(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const text = crypto.randomBytes(32).toString("base64");
  try {
    // "wx": two processes starting at once must not overwrite each other's key.
    fs.writeFileSync(file, text + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return parseKey(fs.readFileSync(file, "utf8"));
  }
  fs.chmodSync(file, 0o600);
  return parseKey(text);
}

export function encryptSecret(plain: string, key: Buffer = encryptionKey()): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64"), tag.toString("base64"), data.toString("base64")].join(":");
}

export function decryptSecret(stored: string, key: Buffer = encryptionKey()): string {
  const parts = stored.split(":");
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretDecryptionError();
  try {
    const [, iv, tag, data] = parts.map((p, i) => (i === 0 ? Buffer.alloc(0) : Buffer.from(p, "base64")));
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError();
  }
}
