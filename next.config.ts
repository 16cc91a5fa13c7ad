import type { NextConfig } from "next";

// Every response: no framing (clickjacking), no MIME sniffing, no referrer to other sites, and a
// content security policy that allows this origin only. Next's hydration uses inline scripts, so
// script-src needs 'unsafe-inline' (a nonce would force every page to render per request);
// `next dev` also needs 'unsafe-eval'. Entra ID sign-in leaves for login.microsoftonline.com.
const csp = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self' https://login.microsoftonline.com",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: csp },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

const nextConfig: NextConfig = {
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
  // NEXT_DIST_DIR lets two builds (e.g. parallel test runs) live side by side in one checkout.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Native and driver packages stay plain Node requires instead of being bundled.
  serverExternalPackages: [
    "better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg", "pg-copy-streams", "mssql", "tedious", "bcryptjs",
    "@duckdb/node-api", "@duckdb/node-bindings", "@azure/storage-blob", "pino", "pino-pretty", "prom-client",
  ],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
