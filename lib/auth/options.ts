import type { NextAuthOptions } from "next-auth";
import AzureADProvider from "next-auth/providers/azure-ad";
import CredentialsProvider from "next-auth/providers/credentials";
import { anonymousActor, recordAudit } from "../audit/record";
import { db, type Db } from "../db";
import { ZSignIn } from "../users/schemas";
import { authSecret } from "./secret";
import { entraConfig, resolveEntraSignIn } from "./entra";
import { clientIp, servedOverHttps } from "./client-ip";
import { requestIp } from "./request-ip";
import { TIMING_HASH, verifyPassword } from "./password";
import { SignInLockedError, signInThrottle, type SignInThrottle } from "./sign-in-throttle";
import { revokeSessions, sessionStillValid } from "./session-revocation";

export const INVALID_CREDENTIALS = "Incorrect email or password.";
const SIGN_IN_UNAVAILABLE = "Sign-in is unavailable right now. Try again later.";

/**
 * Checks an email and password, throttled per account and per client address. Locked requests are
 * refused before the password is checked, for known and unknown accounts alike; every other
 * request checks a hash (a dummy one for unknown accounts) so both take the same time.
 */
export async function authorizeCredentials(
  store: Db,
  throttle: SignInThrottle,
  credentials: unknown,
  headers?: Parameters<typeof clientIp>[0],
) {
  const parsed = ZSignIn.safeParse(credentials);
  // The message travels back to the sign-in form, so it must be plain and safe.
  if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? INVALID_CREDENTIALS);
  const { email, password } = parsed.data;
  const ip = clientIp(headers);
  let attempt;
  try {
    attempt = await throttle.attempt(email, ip);
  } catch (err) {
    if (err instanceof SignInLockedError) throw err;
    console.error("[auth] sign-in throttle unavailable:", err);
    throw new Error(SIGN_IN_UNAVAILABLE);
  }
  const user = await store.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, tokenVersion: true },
  });
  const ok = await verifyPassword(password, user?.passwordHash ?? TIMING_HASH);
  if (!user || !ok) {
    // What a stranger typed as an email is not kept (like the throttle's hashed keys): only an
    // existing account is named. Refusals of a locked account or address are not recorded one by
    // one, so a flood of them cannot flood the log either.
    await recordAudit(store, anonymousActor(ip), {
      action: "auth.sign_in_failed",
      object: user ? { type: "user", id: user.id, label: user.email } : { type: "user", label: "(unknown account)" },
      after: { method: "password" },
    });
    throw new Error(INVALID_CREDENTIALS);
  }
  await attempt.succeeded();
  await recordAudit(store, { id: user.id, email: user.email, ip }, { action: "auth.sign_in", object: { type: "user", id: user.id, label: user.email }, after: { method: "password" } });
  return { id: user.id, email: user.email, name: user.name ?? user.email, role: user.role, tokenVersion: user.tokenVersion };
}

/**
 * `headers`: the request's, so that cookies are Secure when the portal is served over HTTPS, also
 * behind a TLS-terminating proxy that says so (TRUST_PROXY + X-Forwarded-Proto). Every caller for
 * one request must pass them: the Secure cookies carry other names (`__Secure-…`).
 */
export function authOptions(headers?: Parameters<typeof servedOverHttps>[0]): NextAuthOptions {
  const entra = entraConfig();
  return {
    secret: authSecret(),
    useSecureCookies: servedOverHttps(headers),
    session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials, req) => authorizeCredentials(db, signInThrottle(db), credentials, req?.headers),
      }),
      ...(entra ? [AzureADProvider({ ...entra, name: "Microsoft Entra ID" })] : []),
    ],
    events: {
      async signOut({ token }) {
        if (typeof token?.uid !== "string") return;
        await revokeSessions(db, token.uid);
        const email = typeof token.email === "string" ? token.email : token.uid;
        await recordAudit(db, { id: token.uid, email, ip: await requestIp() }, { action: "auth.sign_out", object: { type: "user", id: token.uid, label: email } });
      },
    },
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== "azure-ad") return true;
        // By the ID token's oid + tid, never its email claim (lib/auth/entra.ts).
        const result = await resolveEntraSignIn(db, (profile ?? {}) as Record<string, unknown>);
        const ip = await requestIp();
        if ("refused" in result) {
          await recordAudit(db, anonymousActor(ip), { action: "auth.sign_in_failed", object: { type: "user", label: "(Entra ID identity)" }, after: { method: "entra-id", reason: result.refused } });
          return `/signin?error=${result.refused}`;
        }
        Object.assign(user, { uid: result.user.id, tokenVersion: result.user.tokenVersion });
        await recordAudit(db, { id: result.user.id, email: result.user.email, ip }, { action: "auth.sign_in", object: { type: "user", id: result.user.id, label: result.user.email }, after: { method: "entra-id" } });
        return true;
      },
      async jwt({ token, user }) {
        if (user) {
          const signedIn = user as { id: string; uid?: string; tokenVersion?: number };
          token.uid = signedIn.uid ?? signedIn.id;
          token.ver = signedIn.tokenVersion ?? 0;
          return token;
        }
        // Every request: a cookie from before a sign-out (or a role change) names nobody any more.
        if (typeof token.uid === "string" && !(await sessionStillValid(db, token.uid, token.ver))) return {};
        return token;
      },
      async session({ session, token }) {
        if (session.user) (session.user as { id?: string }).id = token.uid as string;
        return session;
      },
    },
  };
}
