// Kysely used purely as a SQL compiler (dummy driver): it quotes every identifier that comes
// from Dataverse, and the native drivers execute the compiled text.
import {
  DummyDriver,
  Kysely,
  MssqlAdapter,
  MssqlIntrospector,
  MssqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import type { SqlDestinationKind } from "./types";

/**
 * Kysely's MSSQL compiler quotes with "…", which depends on QUOTED_IDENTIFIER being ON. Brackets
 * work under every session setting; inside them only `]` needs doubling.
 */
export class BracketMssqlQueryCompiler extends MssqlQueryCompiler {
  protected override getLeftIdentifierWrapper(): string {
    return "[";
  }
  protected override getRightIdentifierWrapper(): string {
    return "]";
  }
  protected override sanitizeIdentifier(identifier: string): string {
    return identifier.replace(/]/g, "]]");
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Compiler = Kysely<any>;

const cache = new Map<SqlDestinationKind, Compiler>();

export function compilerFor(kind: SqlDestinationKind): Compiler {
  let db = cache.get(kind);
  if (db) return db;
  const dialects = {
    sqlite: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k: Compiler) => new SqliteIntrospector(k),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
    postgres: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k: Compiler) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    mssql: {
      createAdapter: () => new MssqlAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k: Compiler) => new MssqlIntrospector(k),
      createQueryCompiler: () => new BracketMssqlQueryCompiler(),
    },
  };
  db = new Kysely({ dialect: dialects[kind] });
  cache.set(kind, db);
  return db;
}
