// NextAuth's core request handler (what /api/auth/* and getServerSession run), for tests that
// drive sign-in, session and sign-out with this portal's options. Not in next-auth's package
// exports, hence loaded by path with a local type.
import { createRequire } from "node:module";
import path from "node:path";
import type { NextAuthOptions } from "next-auth";

export interface AuthRequest {
  action: string;
  providerId?: string;
  method: "GET" | "POST";
  cookies: Record<string, string>;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  query: Record<string, unknown>;
}

export interface AuthResponse {
  status?: number;
  body?: unknown;
  redirect?: string;
  cookies?: { name: string; value: string; options: { secure?: boolean; maxAge?: number } }[];
}

export const AuthHandler = (createRequire(import.meta.url)(path.resolve("node_modules/next-auth/core/index.js")) as {
  AuthHandler: (params: { req: AuthRequest; options: NextAuthOptions }) => Promise<AuthResponse>;
}).AuthHandler;
