// Session cookies are Secure whenever the portal is served over HTTPS: NEXTAUTH_URL https, or a
// trusted proxy saying X-Forwarded-Proto: https. Checked on the cookies NextAuth's handler sets.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AuthHandler } from "../testing/next-auth-handler";
import { servedOverHttps } from "./client-ip";
import { authOptions } from "./options";

process.env.DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-secure-cookies-"));
process.env.NEXTAUTH_SECRET = "a-test-secret-that-is-long-enough-to-sign-cookies";
const saved = { NEXTAUTH_URL: process.env.NEXTAUTH_URL, TRUST_PROXY: process.env.TRUST_PROXY };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
});

/** The cookies NextAuth sets when a browser asks for a CSRF token (the first call of every sign-in). */
async function csrfCookies(headers: Record<string, string>) {
  const res = await AuthHandler({
    req: { action: "csrf", method: "GET", cookies: {}, headers: { host: "portal.test", ...headers }, body: {}, query: {} },
    options: authOptions(new Headers(headers)),
  });
  return res.cookies ?? [];
}

describe("session cookies", () => {
  it("are Secure (and __Host-/__Secure- named) behind a trusted proxy that says https", async () => {
    process.env.NEXTAUTH_URL = "http://portal.test";
    process.env.TRUST_PROXY = "true";
    const cookies = await csrfCookies({ "x-forwarded-proto": "https" });
    expect(cookies.length).toBeGreaterThan(0);
    for (const c of cookies) {
      expect(c.options.secure).toBe(true);
      expect(c.name).toMatch(/^__(Host|Secure)-/);
    }
  });

  it("are Secure when NEXTAUTH_URL is https", async () => {
    process.env.NEXTAUTH_URL = "https://portal.test";
    delete process.env.TRUST_PROXY;
    for (const c of await csrfCookies({})) expect(c.options.secure).toBe(true);
  });

  it("are not Secure over plain HTTP, nor when an untrusted client claims https", async () => {
    process.env.NEXTAUTH_URL = "http://portal.test";
    delete process.env.TRUST_PROXY;
    for (const c of [...(await csrfCookies({})), ...(await csrfCookies({ "x-forwarded-proto": "https" }))]) {
      expect(c.options.secure).toBeFalsy();
      expect(c.name).not.toMatch(/^__/);
    }
  });
});

describe("servedOverHttps", () => {
  const h = (proto?: string) => new Headers(proto ? { "x-forwarded-proto": proto } : {});
  it.each([
    [{ NEXTAUTH_URL: "https://x.test" }, undefined, true],
    [{ NEXTAUTH_URL: "http://x.test" }, "https", false],
    [{ NEXTAUTH_URL: "http://x.test", TRUST_PROXY: "1" }, "https", true],
    [{ NEXTAUTH_URL: "http://x.test", TRUST_PROXY: "1" }, "HTTPS", true],
    [{ NEXTAUTH_URL: "http://x.test", TRUST_PROXY: "1" }, "http", false],
    // The client wrote "https"; the one trusted proxy appended what it really saw.
    [{ NEXTAUTH_URL: "http://x.test", TRUST_PROXY: "1" }, "https, http", false],
    [{ NEXTAUTH_URL: "http://x.test", TRUST_PROXY: "2" }, "https, http", true],
    [{ NEXTAUTH_URL: "http://x.test", TRUST_PROXY: "true" }, undefined, false],
  ])("%j with X-Forwarded-Proto %s → %s", (env, proto, expected) => {
    expect(servedOverHttps(h(proto), env)).toBe(expected);
  });
});
