// Sign-in throttling through the credentials check itself (authorizeCredentials), on the portal
// store (SQLite, and PostgreSQL in the postgres-store project).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../db";
import { makeStore } from "../sync/test-support";
import { bcryptPool } from "./bcrypt-pool";
import { PEER_ADDRESS_HEADER } from "./client-ip";
import { INVALID_CREDENTIALS, authorizeCredentials } from "./options";
import { hashPassword } from "./password";
import { ACCOUNT_LIMITS, createSignInThrottle, type SignInThrottle } from "./sign-in-throttle";

const PASSWORD = "correct horse battery";
const LOCKED = /^Too many sign-in attempts\. Try again in (\d+) s\.$/;
let db: Db;
let url: string;
let passwordHash: string;
beforeAll(async () => {
  ({ db, url } = makeStore());
  // A cheap hash for the test users (verification cost follows the stored hash); unknown
  // accounts still check the cost-12 dummy hash.
  passwordHash = await hashPassword(PASSWORD, 4);
});
afterAll(async () => {
  await db.$disconnect();
  await bcryptPool().close();
});

let n = 0;
async function newUser(): Promise<string> {
  const email = `user${++n}@example.com`;
  await db.user.create({ data: { email, role: "viewer", passwordHash } });
  return email;
}
const from = (ip: string) => ({ [PEER_ADDRESS_HEADER]: ip });
/** The message the sign-in form would show for one attempt. */
async function signIn(t: SignInThrottle, email: string, password: string, ip = "192.0.2.1", store = db): Promise<string> {
  try {
    const user = await authorizeCredentials(store, t, { email, password }, from(ip));
    return `ok:${user.email}`;
  } catch (err) {
    return (err as Error).message;
  }
}
const retryAfter = (message: string) => Number(LOCKED.exec(message)?.[1]);

describe("sign-in throttling", () => {
  const N = ACCOUNT_LIMITS.attempts;

  it(`locks an account after ${N} wrong passwords, says when to retry, and refuses the right password meanwhile`, async () => {
    const t = createSignInThrottle(db);
    const email = await newUser();
    for (let i = 0; i < N; i++) expect(await signIn(t, email, "wrong password")).toBe(INVALID_CREDENTIALS);
    const locked = await signIn(t, email, PASSWORD);
    expect(locked).toMatch(LOCKED);
    expect(retryAfter(locked)).toBeGreaterThan(ACCOUNT_LIMITS.lockSeconds - 60);
    expect(retryAfter(locked)).toBeLessThanOrEqual(ACCOUNT_LIMITS.lockSeconds);
    // Per account: another address does not get around it.
    expect(await signIn(t, email, PASSWORD, "198.51.100.7")).toMatch(LOCKED);
  });

  it("answers an unknown account exactly as a known one, lock included", async () => {
    const t = createSignInThrottle(db);
    const known = await newUser();
    const unknown = `nobody${n}@example.com`;
    const answers = async (email: string) => {
      const out: string[] = [];
      for (let i = 0; i <= N; i++) out.push((await signIn(t, email, "wrong password", `203.0.113.${n}`)).replace(/\d+ s\./, "N s."));
      return out;
    };
    const knownAnswers = await answers(known);
    expect(knownAnswers.at(-1)).toBe("Too many sign-in attempts. Try again in N s.");
    expect(await answers(unknown)).toEqual(knownAnswers);
  });

  it("clears an account's count on a successful sign-in", async () => {
    const t = createSignInThrottle(db);
    const email = await newUser();
    for (let i = 0; i < N - 1; i++) expect(await signIn(t, email, "wrong password")).toBe(INVALID_CREDENTIALS);
    expect(await signIn(t, email, PASSWORD)).toBe(`ok:${email}`);
    for (let i = 0; i < N - 1; i++) expect(await signIn(t, email, "wrong password")).toBe(INVALID_CREDENTIALS);
    expect(await signIn(t, email, PASSWORD)).toBe(`ok:${email}`);
  });

  it("locks an address that tries many accounts", async () => {
    const t = createSignInThrottle(db, { account: ACCOUNT_LIMITS, ip: { attempts: 3, windowSeconds: 600, lockSeconds: 60 } });
    const ip = "192.0.2.99";
    for (let i = 0; i < 3; i++) expect(await signIn(t, `guess${i}@example.com`, "wrong password", ip)).toBe(INVALID_CREDENTIALS);
    const email = await newUser();
    const locked = await signIn(t, email, PASSWORD, ip);
    expect(locked).toMatch(LOCKED);
    expect(retryAfter(locked)).toBeLessThanOrEqual(60);
    expect(await signIn(t, email, PASSWORD, "192.0.2.100")).toBe(`ok:${email}`);
  });

  it("holds across processes: two Prisma clients on one store share the lock and count parallel guesses once each", async () => {
    const other = createDb(url);
    try {
      const a = createSignInThrottle(db);
      const b = createSignInThrottle(other);
      const email = await newUser();
      for (let i = 0; i < N; i++) expect(await signIn(a, email, "wrong password")).toBe(INVALID_CREDENTIALS);
      expect(await signIn(b, email, PASSWORD, "192.0.2.1", other)).toMatch(LOCKED);

      // A burst from both "processes" at once: exactly N guesses are checked, the rest refused.
      const burstEmail = await newUser();
      const answers = await Promise.all(
        Array.from({ length: 2 * N }, (_, i) => (i % 2 ? signIn(b, burstEmail, "wrong password", "192.0.2.2", other) : signIn(a, burstEmail, "wrong password", "192.0.2.2"))),
      );
      expect(answers.filter((m) => m === INVALID_CREDENTIALS)).toHaveLength(N);
      expect(answers.filter((m) => LOCKED.test(m))).toHaveLength(N);
    } finally {
      await other.$disconnect();
    }
  });
});
