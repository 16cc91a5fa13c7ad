// The key check value: the first start writes it; a start with another key is refused, naming
// where the key came from (APP_ENCRYPTION_KEY or the key file).
import crypto from "node:crypto";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db";
import { prepareStore } from "../portal/bootstrap";
import { makeStore } from "../sync/test-support";
import { encryptSecret, encryptionKey } from "./index";
import { checkEncryptionKey, KEY_CHECK_SETTING, KeyMismatchError } from "./key-check";

let db: Db;
let dir: string;
beforeAll(() => {
  ({ db, dir } = makeStore());
});
afterAll(() => db.$disconnect());
const savedKey = process.env.APP_ENCRYPTION_KEY;
afterEach(async () => {
  if (savedKey === undefined) delete process.env.APP_ENCRYPTION_KEY;
  else process.env.APP_ENCRYPTION_KEY = savedKey;
  await db.portalSetting.deleteMany({});
  await db.organization.deleteMany({});
});

const randomKey = () => crypto.randomBytes(32).toString("base64");

describe("the encryption key check value", () => {
  it("is written on the first start and matches afterwards; it does not reveal the key", async () => {
    delete process.env.APP_ENCRYPTION_KEY;
    expect(await checkEncryptionKey(db)).toBe("written");
    const row = await db.portalSetting.findUniqueOrThrow({ where: { key: KEY_CHECK_SETTING } });
    expect(row.value).toMatch(/^v1:[A-Za-z0-9_-]{43}$/);
    expect(row.value).not.toContain(encryptionKey().toString("base64"));
    expect(await checkEncryptionKey(db)).toBe("matched");
  });

  it("refuses another APP_ENCRYPTION_KEY, naming it", async () => {
    process.env.APP_ENCRYPTION_KEY = randomKey();
    expect(await checkEncryptionKey(db)).toBe("written");
    process.env.APP_ENCRYPTION_KEY = randomKey();
    const err = await checkEncryptionKey(db).catch((e) => e);
    expect(err).toBeInstanceOf(KeyMismatchError);
    expect(err.message).toMatch(/APP_ENCRYPTION_KEY is not the key the stored secrets were written with/);
  });

  it("refuses a replaced key file, naming the file", async () => {
    process.env.APP_ENCRYPTION_KEY = randomKey();
    await checkEncryptionKey(db);
    delete process.env.APP_ENCRYPTION_KEY; // now the key file of DATA_DIR: another key
    await expect(checkEncryptionKey(db)).rejects.toThrow(`the key file ${path.join(dir, "encryption.key")} is not the key`);
  });

  it("on a store from before the check value: refuses a key its secrets do not decrypt with, writes one when they do", async () => {
    const written = randomKey();
    process.env.APP_ENCRYPTION_KEY = written;
    await db.organization.create({ data: { name: "Old", url: "https://old.crm.dynamics.com", clientSecretEnc: encryptSecret("s3cret") } });
    process.env.APP_ENCRYPTION_KEY = randomKey();
    await expect(checkEncryptionKey(db)).rejects.toBeInstanceOf(KeyMismatchError);
    expect(await db.portalSetting.count()).toBe(0);
    process.env.APP_ENCRYPTION_KEY = written;
    expect(await checkEncryptionKey(db)).toBe("written");
  });

  it("stops `npm start`'s preparation with the message", async () => {
    process.env.APP_ENCRYPTION_KEY = randomKey();
    await checkEncryptionKey(db);
    process.env.APP_ENCRYPTION_KEY = randomKey();
    await expect(prepareStore()).rejects.toThrow(/APP_ENCRYPTION_KEY is not the key/);
  });
});
