// The key check value: an HMAC of a fixed text under the encryption key, kept in the portal store.
// At start-up the key in force must produce the same value. A different key (another
// APP_ENCRYPTION_KEY, a lost or replaced key file, a store copied without its key) is refused with
// a message that says so, instead of starting and failing later on every secret it cannot read —
// or writing new secrets the old ones cannot be told apart from. The value reveals nothing about
// the key. The first start writes it.
import crypto from "node:crypto";
import type { Db } from "../db";
import { decryptSecret, encryptionKey, encryptionKeySource, SecretDecryptionError } from "./index";

export const KEY_CHECK_SETTING = "encryptionKeyCheck";
const VERSION = "v1";

export function keyCheckValue(key: Buffer): string {
  return `${VERSION}:${crypto.createHmac("sha256", key).update("dataverse-export encryption key check").digest("base64url")}`;
}

export class KeyMismatchError extends Error {
  constructor(source: string) {
    super(
      `The encryption key does not match the data in the portal store: ${source} is not the key the stored secrets were written with. ` +
        "Start with the original key (APP_ENCRYPTION_KEY, or the encryption.key file of the original DATA_DIR). " +
        "Refusing to start rather than lose access to the client secrets and connection strings.",
    );
    this.name = "KeyMismatchError";
  }
}

/** One secret already in the store, to recognise the key of a store from before the check value. */
async function someStoredSecret(db: Db): Promise<string | null> {
  const org = await db.organization.findFirst({
    where: { OR: [{ clientSecretEnc: { not: null } }, { staticTokenEnc: { not: null } }] },
    select: { clientSecretEnc: true, staticTokenEnc: true },
  });
  if (org) return org.clientSecretEnc ?? org.staticTokenEnc;
  const profile = await db.profile.findFirst({ where: { destinationEnc: { not: null } }, select: { destinationEnc: true } });
  return profile?.destinationEnc ?? null;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * Throws KeyMismatchError when the key in force is not the store's. On a store without a check
 * value (first start, or one from before it existed) it writes one — after checking that a secret
 * already stored, if any, decrypts with this key.
 */
export async function checkEncryptionKey(db: Db, key: Buffer = encryptionKey(), source: () => string = encryptionKeySource): Promise<"matched" | "written"> {
  const expected = keyCheckValue(key);
  const stored = await db.portalSetting.findUnique({ where: { key: KEY_CHECK_SETTING }, select: { value: true } });
  if (stored) {
    if (!same(stored.value, expected)) throw new KeyMismatchError(source());
    return "matched";
  }
  const secret = await someStoredSecret(db);
  if (secret) {
    try {
      decryptSecret(secret, key);
    } catch (err) {
      if (err instanceof SecretDecryptionError) throw new KeyMismatchError(source());
      throw err;
    }
  }
  try {
    await db.portalSetting.create({ data: { key: KEY_CHECK_SETTING, value: expected } });
  } catch (err) {
    // Another process started at the same moment and wrote it first: compare with its value.
    if ((err as { code?: string }).code !== "P2002") throw err;
    return checkEncryptionKey(db, key, source);
  }
  return "written";
}
