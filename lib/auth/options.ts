import type { NextAuthOptions } from "next-auth";
import AzureADProvider from "next-auth/providers/azure-ad";
import CredentialsProvider from "next-auth/providers/credentials";
import { db } from "../db";
import { ZEmail, ZSignIn } from "../users/schemas";
import { authSecret } from "./secret";
import { entraConfig } from "./entra";
import { TIMING_HASH, verifyPassword } from "./password";

export const INVALID_CREDENTIALS = "Incorrect email or password.";

async function authorizeLocal(credentials: unknown) {
  const parsed = ZSignIn.safeParse(credentials);
  // The message travels back to the sign-in form, so it must be plain and safe.
  if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? INVALID_CREDENTIALS);
  const { email, password } = parsed.data;
  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, role: true, passwordHash: true },
  });
  const ok = await verifyPassword(password, user?.passwordHash ?? TIMING_HASH);
  if (!user || !ok) throw new Error(INVALID_CREDENTIALS);
  return { id: user.id, email: user.email, name: user.name ?? user.email, role: user.role };
}

/** Entra ID users get an account on first sign-in, as viewers: an admin grants more. */
async function linkEntraUser(email: string | null | undefined, name: string | null | undefined) {
  const parsed = ZEmail.safeParse(email ?? "");
  if (!parsed.success) return null;
  return db.user.upsert({
    where: { email: parsed.data },
    update: {},
    create: { email: parsed.data, name: name ?? null, role: "viewer" },
    select: { id: true, role: true },
  });
}

export function authOptions(): NextAuthOptions {
  const entra = entraConfig();
  return {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: authorizeLocal,
      }),
      ...(entra ? [AzureADProvider({ ...entra, name: "Microsoft Entra ID" })] : []),
    ],
    callbacks: {
      async signIn({ user, account }) {
        if (account?.provider !== "azure-ad") return true;
        const linked = await linkEntraUser(user.email, user.name);
        if (!linked) return false;
        (user as { uid?: string }).uid = linked.id;
        return true;
      },
      async jwt({ token, user }) {
        if (user) token.uid = (user as { uid?: string }).uid ?? user.id;
        return token;
      },
      async session({ session, token }) {
        if (session.user) (session.user as { id?: string }).id = token.uid as string;
        return session;
      },
    },
  };
}
