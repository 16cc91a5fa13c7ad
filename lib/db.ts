import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/prisma/client";
import { databaseUrl } from "./config/paths";

export type Db = PrismaClient;

// One client per process; Next.js dev reloads modules, so keep it on globalThis.
const globalForDb = globalThis as unknown as { __dxPrisma?: PrismaClient };

export function createDb(url = databaseUrl()): PrismaClient {
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) });
}

export const db: PrismaClient = globalForDb.__dxPrisma ?? (globalForDb.__dxPrisma = createDb());
