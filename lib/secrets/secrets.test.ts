import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, encryptionKey, parseKey, SecretDecryptionError, WeakKeyError } from "./index";

describe("secrets", () => {
  let dir: string;
  const saved = { DATA_DIR: process.env.DATA_DIR, KEY: process.env.APP_ENCRYPTION_KEY };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dx-secrets-"));
    process.env.DATA_DIR = dir;
    delete process.env.APP_ENCRYPTION_KEY;
  });
  afterEach(() => {
    process.env.DATA_DIR = saved.DATA_DIR;
    if (saved.KEY === undefined) delete process.env.APP_ENCRYPTION_KEY;
    else process.env.APP_ENCRYPTION_KEY = saved.KEY;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("round-trips a secret and never stores the plain text", () => {
    const plain = "Server=tcp:db.example.net;Password=p@ss;wörd";
    const stored = encryptSecret(plain);
    expect(stored).not.toContain("p@ss");
    expect(decryptSecret(stored)).toBe(plain);
    expect(encryptSecret(plain)).not.toBe(stored); // fresh IV each time
  });

  it("rejects a tampered ciphertext", () => {
    const stored = encryptSecret("secret value");
    const parts = stored.split(":");
    const data = Buffer.from(parts[3], "base64");
    data[0] ^= 1;
    parts[3] = data.toString("base64");
    expect(() => decryptSecret(parts.join(":"))).toThrow(SecretDecryptionError);
    expect(() => decryptSecret("garbage")).toThrow(SecretDecryptionError);
  });

  it("rejects a ciphertext whose tag was truncated (the tag length is pinned to 16 bytes)", () => {
    const key = parseKey("c".repeat(64));
    const [v, iv, tag, data] = encryptSecret("secret", key).split(":");
    // A 4-byte prefix of the real tag: Node accepts it unless the length is pinned.
    const short = [v, iv, Buffer.from(tag, "base64").subarray(0, 4).toString("base64"), data].join(":");
    expect(() => decryptSecret(short, key)).toThrow(SecretDecryptionError);
    expect(decryptSecret([v, iv, tag, data].join(":"), key)).toBe("secret");
  });

  it("refuses an empty or short key instead of stretching it into a guessable one", () => {
    for (const weak of ["", "   ", "changeme", "x".repeat(31)]) expect(() => parseKey(weak)).toThrow(WeakKeyError);
    expect(parseKey("a passphrase of thirty-two chars!").length).toBe(32);
    process.env.APP_ENCRYPTION_KEY = "changeme";
    expect(() => encryptionKey()).toThrow(/APP_ENCRYPTION_KEY is too weak/);
    delete process.env.APP_ENCRYPTION_KEY;
    fs.writeFileSync(path.join(dir, "encryption.key"), "\n");
    expect(() => encryptionKey()).toThrow(/encryption\.key is too weak/);
    fs.rmSync(path.join(dir, "encryption.key"));
  });

  it("rejects a secret written with another key", () => {
    const stored = encryptSecret("x", parseKey("a".repeat(64)));
    expect(() => decryptSecret(stored, parseKey("b".repeat(64)))).toThrow(SecretDecryptionError);
  });

  it("creates the key file with mode 0600 and reuses it", () => {
    const key = encryptionKey();
    const file = path.join(dir, "encryption.key");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(key.length).toBe(32);
    expect(parseKey(fs.readFileSync(file, "utf8")).equals(key)).toBe(true);
  });

  it("uses APP_ENCRYPTION_KEY when set, without writing a key file", () => {
    process.env.APP_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");
    expect(encryptionKey().equals(Buffer.alloc(32, 7))).toBe(true);
    expect(fs.existsSync(path.join(dir, "encryption.key"))).toBe(false);
  });
});
