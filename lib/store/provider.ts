// Which kind of portal store a URL names. SQLite ("file:…") is the embedded default;
// postgresql:// or postgres:// selects PostgreSQL. lib/db.ts and the migrator decide with this.
export type StoreProvider = "sqlite" | "postgresql";

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export function storeProvider(url: string): StoreProvider {
  if (isPostgresUrl(url)) return "postgresql";
  if (url.startsWith("file:")) return "sqlite";
  throw new Error(`DATABASE_URL must be file:PATH (SQLite) or postgresql://… (PostgreSQL); got "${redactUrl(url)}"`);
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}
