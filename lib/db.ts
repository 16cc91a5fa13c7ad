import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { PrismaClient as PostgresPrismaClient } from "./generated/prisma-pg/client";
import { databaseUrl } from "./config/paths";
import { storeProvider, type StoreProvider } from "./store/provider";
import { createStorePool } from "./store/pg-pool";
import { SqliteStoreAdapter } from "./store/sqlite-store";

// Both clients come from the one schema (prisma/postgres/schema.prisma is generated from
// prisma/schema.prisma), so their model APIs are the same; the SQLite client's type stands for
// both. A generated client is bound to its provider (query compiler, SQL), hence two of them.
export type Db = PrismaClient;

// One client per process; Next.js dev reloads modules, so keep it on globalThis.
const globalForDb = globalThis as unknown as { __dxPrisma?: PrismaClient };

/** The portal store named by `url` (DATABASE_URL by default): the one place that picks the provider. */
export function createDb(url = databaseUrl()): PrismaClient {
  if (storeProvider(url) === "postgresql") {
    const adapter = new PrismaPg(createStorePool(url), { disposeExternalPool: true });
    return new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
  }
  return new PrismaClient({ adapter: new SqliteStoreAdapter({ url }) });
}

/** The provider behind a client (or a transaction client of it), for the few queries that differ. */
export function storeProviderOf(client: Db): StoreProvider {
  // Prisma keeps the generated client's provider here; transaction clients delegate to it.
  return (client as unknown as { _activeProvider?: string })._activeProvider === "postgresql" ? "postgresql" : "sqlite";
}

export const db: PrismaClient = globalForDb.__dxPrisma ?? (globalForDb.__dxPrisma = createDb());
