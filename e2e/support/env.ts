// What every browser test knows about the server playwright.config.ts started.
export const ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password" } as const;

export const E2E = {
  baseURL: process.env.E2E_BASE_URL ?? "http://127.0.0.1:3100",
  dataDir: process.env.E2E_DATA_DIR ?? "",
  emulatorUrl: process.env.E2E_EMULATOR_URL ?? "http://127.0.0.1:5655",
  emulatorToken: "emulator-token",
} as const;

/** A name no other test (or earlier run against the same store) uses. */
export function unique(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export const ANONYMOUS = { cookies: [], origins: [] };
