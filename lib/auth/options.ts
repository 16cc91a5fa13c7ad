import type { NextAuthOptions } from "next-auth";
import AzureADProvider from "next-auth/providers/azure-ad";
import CredentialsProvider from "next-auth/providers/credentials";
import { db, type Db } from "../db";
import { ZSignIn } from "../users/schemas";
import { authSecret } from "./secret";
import { entraConfig, resolveEntraSignIn } from "./entra";
import { clientIp, servedOverHttps } from "./client-ip";
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
  let attempt;
  try {
    attempt = await throttle.attempt(email, clientIp(headers));
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
  if (!user || !ok) throw new Error(INVALID_CREDENTIALS);
  await attempt.succeeded();
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
        if (typeof token?.uid === "string") await revokeSessions(db, token.uid);
      },
    },
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== "azure-ad") return true;
        // By the ID token's oid + tid, never its email claim (lib/auth/entra.ts).
        const result = await resolveEntraSignIn(db, (profile ?? {}) as Record<string, unknown>);
        if ("refused" in result) return `/signin?error=${result.refused}`;
        Object.assign(user, { uid: result.user.id, tokenVersion: result.user.tokenVersion });
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
