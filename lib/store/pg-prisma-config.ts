// The PostgreSQL driver adapter prisma.config.ts gives the Prisma CLI (migrate, db push/pull).
// Two workarounds for @prisma/adapter-pg 6.19.3:
// - catalog columns of type name/"char": the pool's client reports them as text (pg-pool.ts);
// - the shadow database (migrate diff --from-migrations, migrate dev): the stock factory builds
//   its shadow pool as { ...config, database }, and a connectionString in config wins over
//   `database`, so it runs the migrations on the MAIN database; it also drops the shadow before
//   closing that pool (which fails: "being accessed by other users"). Here the shadow is created
//   and dropped by us, after its pool is closed.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { createStorePool } from "./pg-pool";

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export class StorePrismaPg extends PrismaPg {
  constructor(private readonly url: string) {
    super(createStorePool(url), { disposeExternalPool: true });
  }

  override async connectToShadowDb() {
    const name = `dvx_shadow_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
    await onServer(this.url, `CREATE DATABASE "${name}"`);
    const pool = createStorePool(withDatabase(this.url, name), { max: 2 });
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose(); // ends the pool: no session left in the shadow database
      await onServer(this.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    return adapter;
  }
}
