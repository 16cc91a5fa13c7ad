// Text filters that behave the same on both stores. SQLite's LIKE ignores ASCII case, PostgreSQL's
// does not; Prisma's `mode: "insensitive"` (ILIKE) exists only on PostgreSQL, and the SQLite client
// rejects it — so the filter depends on the store.
import { storeProviderOf, type Db } from "../db";
import type { Prisma } from "../generated/prisma/client";

/** `column contains text`, ignoring case, on either store. */
export function containsText(db: Db, text: string): Prisma.StringFilter {
  if (storeProviderOf(db) === "postgresql") return { contains: text, mode: "insensitive" } as unknown as Prisma.StringFilter;
  return { contains: text };
}
