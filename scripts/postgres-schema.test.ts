import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { postgresSchema, postgresSchemaText } from "./postgres-schema.mjs";

describe("prisma/postgres/schema.prisma", () => {
  it("is the generated copy of prisma/schema.prisma (else: npm run prisma:generate)", () => {
    expect(fs.readFileSync(postgresSchema, "utf8"), "stale: run `npm run prisma:generate` and commit prisma/postgres/schema.prisma").toBe(postgresSchemaText());
  });

  it("swaps the provider and the client output, nothing else", () => {
    const source = 'generator client {\n  output = "../lib/generated/prisma"\n}\ndatasource db {\n  provider = "sqlite"\n}\nmodel A {\n  id String @id // sqlite\n}\n';
    const out: string = postgresSchemaText(source);
    expect(out).toContain('provider = "postgresql"');
    expect(out).toContain('output = "../../lib/generated/prisma-pg"');
    expect(out).toContain("id String @id // sqlite");
    expect(() => postgresSchemaText(source.replace("@id", "@id @db.Text"))).toThrow(/native type/);
  });
});
