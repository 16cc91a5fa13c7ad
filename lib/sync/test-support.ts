// Test helpers for the engine's tests (not a test file): a fresh store per file, a profile
// created the way the CLI creates it, Web API writes against the emulator, polling waits.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { createDb, type Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import type { SourceRecord } from "../dataverse/types";
import { migrateStore } from "../store/migrate";
import { createTestPostgresStore, testStoreKind, type TestStoreKind } from "../testing/test-store";
import { upsertProfileFromFlags, type TSyncFlags } from "../cli/commands/sync";

/**
 * A fresh DATA_DIR (key file, SQLite store) for this test file. The store is SQLite, or a fresh
 * PostgreSQL database when STORE=postgres (lib/testing/test-store.ts) or `kind` says so.
 */
export function makeStore(opts: { kind?: TestStoreKind } = {}): { dir: string; db: Db; url: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-sync-"));
  process.env.DATA_DIR = dir;
  const kind = opts.kind ?? testStoreKind();
  const url = kind === "postgres" ? createTestPostgresStore() : `file:${path.join(dir, "portal.db")}`;
  // Code that reads DATABASE_URL itself (lib/db's shared client, portal-file checks) sees this store.
  if (kind === "postgres") process.env.DATABASE_URL = url;
  else delete process.env.DATABASE_URL;
  migrateStore(url);
  return { dir, db: createDb(url), url };
}

export function flags(f: Partial<TSyncFlags> & Pick<TSyncFlags, "name" | "source" | "target" | "tables">): TSyncFlags {
  return {
    token: "emulator-token", relationships: [], prefix: "", schema: "dbo", retryCount: 0, retryInterval: 0,
    interval: 1, pageSize: 50, deleteLog: false, once: true, quiet: true, ...f,
  };
}

/** A profile as the CLI creates it, then activated (the CLI itself never marks a profile active). */
export async function createProfile(db: Db, f: Parameters<typeof flags>[0]): Promise<string> {
  const id = await upsertProfileFromFlags(db, flags(f));
  await db.profile.update({ where: { id }, data: { metadataActive: true, dataActive: true, state: "activating" } });
  return id;
}

/** Writes through the emulator's Web API, as a Dataverse user would. */
export function webApi(url: string, token = "emulator-token") {
  const api = `${url}/api/data/v9.2/`;
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json" };
  const check = async (res: Response) => {
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
    return res;
  };
  return {
    async create(set: string, body: Record<string, unknown>, idAttr: string): Promise<string> {
      const res = await check(await fetch(`${api}${set}`, { method: "POST", headers: { ...headers, Prefer: "return=representation" }, body: JSON.stringify(body) }));
      return String(((await res.json()) as Record<string, unknown>)[idAttr]);
    },
    async update(set: string, id: string, body: Record<string, unknown>, allowOverflow = false): Promise<void> {
      await check(await fetch(`${api}${set}(${id})`, { method: "PATCH", headers: { ...headers, "If-Match": "*", ...(allowOverflow ? { "x-emulator-allow-overflow": "1" } : {}) }, body: JSON.stringify(body) }));
    },
    async remove(set: string, id: string): Promise<void> {
      await check(await fetch(`${api}${set}(${id})`, { method: "DELETE", headers }));
    },
    async associate(set: string, id: string, nav: string, otherSet: string, otherId: string): Promise<void> {
      await check(await fetch(`${api}${set}(${id})/${nav}/$ref`, { method: "POST", headers, body: JSON.stringify({ "@odata.id": `${api}${otherSet}(${otherId})` }) }));
    },
    async disassociate(set: string, id: string, nav: string, otherId: string): Promise<void> {
      await check(await fetch(`${api}${set}(${id})/${nav}(${otherId})/$ref`, { method: "DELETE", headers }));
    },
    async firstIds(set: string, idAttr: string, n: number): Promise<string[]> {
      const res = await check(await fetch(`${api}${set}?$select=${idAttr}&$top=${n}`, { headers }));
      return ((await res.json()) as { value: Record<string, string>[] }).value.map((r) => r[idAttr]);
    },
  };
}

/** Every live record of a table at the source (a full change-tracking read). */
export async function sourceRows(url: string, table: string, select: string[]): Promise<Map<string, SourceRecord>> {
  const client = new DataverseClient({ url, token: "emulator-token" });
  const info = (await client.getTableSchema(table)).table;
  const out = new Map<string, SourceRecord>();
  for await (const page of client.readChanges(info, { select, pageSize: 5000 })) for (const r of page.upserts) out.set(r.id.toLowerCase(), r);
  return out;
}

export function sqliteRows(file: string, table: string): Record<string, unknown>[] {
  const d = new Database(file, { readonly: true });
  try {
    return d.prepare(`select * from "${table.replace(/"/g, '""')}"`).all() as Record<string, unknown>[];
  } finally {
    d.close();
  }
}

/** Polls `cond` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(cond: () => Promise<T> | T, what: string, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The emulator's large-number attributes of cr0a1_project exactly as they are on the wire (read
 * from the raw response text, not through any JSON parser): 21-digit Decimal, 19-digit Money,
 * BigInt past 2^53, by record id.
 */
export async function rawLargeNumbers(url: string): Promise<Map<string, { rate: string; amount: string; counter: string }>> {
  const out = new Map<string, { rate: string; amount: string; counter: string }>();
  let next: string | undefined = `${url}/api/data/v9.2/cr0a1_projects?$select=cr0a1_exactrate,cr0a1_largeamount,cr0a1_largecounter`;
  const re = /"cr0a1_exactrate":(-?[\d.]+),"cr0a1_largeamount":(-?[\d.]+),"cr0a1_largecounter":(\d+),"cr0a1_projectid":"([0-9a-f-]{36})"/g;
  while (next) {
    const text = await (await fetch(next, { headers: { Authorization: "Bearer emulator-token", Accept: "application/json" } })).text();
    for (const m of text.matchAll(re)) out.set(m[4], { rate: m[1], amount: m[2], counter: m[3] });
    next = /"@odata.nextLink":"([^"]+)"/.exec(text)?.[1];
  }
  return out;
}
