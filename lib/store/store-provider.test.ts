// lib/db.ts picks the client by URL, and code that must differ per store can tell which it has —
// through a transaction client too. Runs in both test projects (sqlite-store, postgres-store).
import { afterAll, describe, expect, it } from "vitest";
import { storeProviderOf } from "../db";
import { makeStore } from "../sync/test-support";
import { testStoreKind } from "../testing/test-store";
import { isPostgresUrl, redactUrl, storeProvider } from "./provider";

const store = makeStore();
afterAll(() => store.db.$disconnect());

describe("store provider", () => {
  it("is chosen by the URL", () => {
    expect(storeProvider("file:/tmp/x.db")).toBe("sqlite");
    expect(storeProvider("postgresql://u@h/db")).toBe("postgresql");
    expect(storeProvider("postgres://u@h/db")).toBe("postgresql");
    expect(isPostgresUrl("file:postgres://x")).toBe(false);
    expect(() => storeProvider("mysql://u:secret@h/db")).toThrow(/file:PATH.*postgresql/);
    expect(() => storeProvider("mysql://u:secret@h/db")).not.toThrow(/secret/);
    expect(redactUrl("postgresql://u:secret@h/db")).toBe("postgresql://u:***@h/db");
  });

  it("is known from a client and from a transaction client", async () => {
    const expected = testStoreKind() === "postgres" ? "postgresql" : "sqlite";
    expect(storeProvider(store.url)).toBe(expected);
    expect(storeProviderOf(store.db)).toBe(expected);
    const inTx = await store.db.$transaction(async (tx) => storeProviderOf(tx as unknown as typeof store.db));
    expect(inTx).toBe(expected);
  });

  it("text search ignores case on this store", async () => {
    const { containsText } = await import("./text-match");
    const org = await store.db.organization.create({ data: { name: "Case Test", url: `https://case-${Date.now()}.example` } });
    const found = await store.db.organization.findMany({ where: { id: org.id, name: containsText(store.db, "CASE tes") } });
    expect(found.map((o) => o.id)).toEqual([org.id]);
  });
});
