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

export class WeakKeyError extends Error {
  constructor(where: string) {
    super(`The encryption key in ${where} is too weak: use 32 random bytes as base64 or 64 hex characters (e.g. \`openssl rand -base64 32\`), or a passphrase of at least ${MIN_PASSPHRASE} characters.`);
    this.name = "WeakKeyError";
  }
}

/** A passphrase shorter than this (an empty or truncated key file, "changeme") is refused. */
const MIN_PASSPHRASE = 32;
/** GCM's full 128-bit tag, pinned: a shorter tag would make forging a ciphertext far cheaper. */
const TAG_BYTES = 16;
const IV_BYTES = 12;

/**
 * Accepts 32 bytes as base64 or 64 hex characters, or a passphrase of at least 32 characters
 * (stretched with SHA-256). Anything shorter is refused: it would quietly become a guessable key.
 */
export function parseKey(text: string, where = "APP_ENCRYPTION_KEY"): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, "hex");
  const b64 = Buffer.from(t, "base64");
  if (b64.length === 32 && /^[A-Za-z0-9+/=_-]+$/.test(t)) return b64;
  if (t.length < MIN_PASSPHRASE) throw new WeakKeyError(where);
  return crypto.createHash("sha256").update(t, "utf8").digest();
}

let cachedKey: { source: string; key: Buffer } | undefined;

/** Where the key in force comes from, for messages: "APP_ENCRYPTION_KEY" or "the key file <path>". */
export function encryptionKeySource(): string {
  return process.env.APP_ENCRYPTION_KEY ? "APP_ENCRYPTION_KEY" : `the key file ${path.join(ensureDataDir(), KEY_FILE)}`;
}

/** The key in force: APP_ENCRYPTION_KEY, else $DATA_DIR/encryption.key (created 0600 when missing). */
export function encryptionKey(): Buffer {
  const env = process.env.APP_ENCRYPTION_KEY;
  const source = env ? `env:${env}` : `file:${path.join(ensureDataDir(), KEY_FILE)}`;
  if (cachedKey?.source === source) return cachedKey.key;
  const key = env ? parseKey(env, "APP_ENCRYPTION_KEY") : loadOrCreateKeyFile(source.slice(5));
  cachedKey = { source, key };
  return key;
}

function loadOrCreateKeyFile(file: string): Buffer {
  try {
    return parseKey(fs.readFileSync(file, "utf8"), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const text = crypto.randomBytes(32).toString("base64");
  try {
    // "wx": two processes starting at once must not overwrite each other's key.
    fs.writeFileSync(file, text + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return parseKey(fs.readFileSync(file, "utf8"), file);
  }
  fs.chmodSync(file, 0o600);
  return parseKey(text);
}

export function encryptSecret(plain: string, key: Buffer = encryptionKey()): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64"), tag.toString("base64"), data.toString("base64")].join(":");
}

export function decryptSecret(stored: string, key: Buffer = encryptionKey()): string {
  const parts = stored.split(":");
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretDecryptionError();
  try {
    const [, iv, tag, data] = parts.map((p, i) => (i === 0 ? Buffer.alloc(0) : Buffer.from(p, "base64")));
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError();
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError();
  }
}
