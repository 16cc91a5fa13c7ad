// Shared by the conformance tests: one emulator per test file and plain `fetch` (no product code),
// so the tests see the wire exactly as any Web API client does.
import { afterAll, beforeAll } from "vitest";
import { startEmulator, type RunningEmulator } from "../server.ts";

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface Harness {
  emu: RunningEmulator;
  api: string;
  get(path: string, headers?: Record<string, string>): Promise<Answer>;
  send(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
}

/** Starts an emulator for the file (records as given) and returns a live handle. */
export function useEmulator(records = 300, seed = 11): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    h.emu = await startEmulator({ port: 0, records, seed, token: "conformance" });
    h.api = `${h.emu.url}/api/data/v9.2/`;
  });
  afterAll(() => h.emu.close());
  const call = async (method: string, path: string, body: unknown, headers: Record<string, string>): Promise<Answer> => {
    const init: RequestInit = { method, headers: { Authorization: `Bearer ${h.emu.token}`, Accept: "application/json", "OData-MaxVersion": "4.0", "OData-Version": "4.0", ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      if (typeof body !== "string") (init.headers as Record<string, string>)["Content-Type"] = "application/json";
    }
    const res = await fetch(path.startsWith("http") ? path : h.api + path, init);
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  h.get = (path, headers = {}) => call("GET", path, undefined, headers);
  h.send = (method, path, body, headers = {}) => call(method, path, body, headers);
  return h;
}

/** Follows nextLinks with the same Prefer header, as the docs require; returns every page. */
export async function allPages(h: Harness, path: string, headers: Record<string, string> = {}): Promise<Answer[]> {
  const pages: Answer[] = [];
  let link: string | undefined = path;
  while (link) {
    const page = await h.get(link, headers);
    if (page.status !== 200) throw new Error(`${link} answered ${page.status}: ${page.text}`);
    pages.push(page);
    link = page.json["@odata.nextLink"];
    if (pages.length > 1000) throw new Error("more than 1000 pages: a nextLink loop?");
  }
  return pages;
}
