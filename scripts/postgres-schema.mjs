// prisma/postgres/schema.prisma is GENERATED from prisma/schema.prisma (the one source):
// provider swapped to postgresql, the client generated into lib/generated/prisma-pg.
// Imported by scripts/prisma-generate.mjs (which writes it) and by the test that checks the
// committed copy is current.
import fs from "node:fs";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "..");
export const sourceSchema = path.join(root, "prisma", "schema.prisma");
export const postgresSchema = path.join(root, "prisma", "postgres", "schema.prisma");

const HEADER =
  "// GENERATED from prisma/schema.prisma by `npm run prisma:generate` — do not edit.\n" +
  "// The PostgreSQL portal store (DATABASE_URL=postgresql://…); migrations in ./migrations.\n\n";

export function postgresSchemaText(source = fs.readFileSync(sourceSchema, "utf8")) {
  // Native types (@db.*) would be provider-specific; SQLite has none, so the source has none.
  if (/@db\./.test(source)) throw new Error("prisma/schema.prisma uses a native type (@db.…): teach scripts/postgres-schema.mjs to map it");
  let out = source;
  const swaps = [
    [/(datasource\s+db\s*\{[^}]*provider\s*=\s*)"sqlite"/, '$1"postgresql"'],
    [/(generator\s+client\s*\{[^}]*output\s*=\s*)"\.\.\/lib\/generated\/prisma"/, '$1"../../lib/generated/prisma-pg"'],
  ];
  for (const [from, to] of swaps) {
    if (!from.test(out)) throw new Error(`prisma/schema.prisma no longer matches ${from}: update scripts/postgres-schema.mjs`);
    out = out.replace(from, to);
  }
  return HEADER + out;
}

export function writePostgresSchema() {
  const text = postgresSchemaText();
  const current = fs.existsSync(postgresSchema) ? fs.readFileSync(postgresSchema, "utf8") : "";
  if (current !== text) fs.writeFileSync(postgresSchema, text);
  return current !== text;
}
