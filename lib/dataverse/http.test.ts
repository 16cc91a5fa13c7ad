// Faults, auth and bad URLs: the client's retry policy against the emulator's injected faults.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emulatorControl, type EmulatorControl } from "../../emulator/control.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { DataverseClient, type DataverseClientOptions } from "./client.ts";
import { AuthenticationError, ChangeTrackingNotEnabledError, DataverseUnavailableError, InvalidUrlError, ThrottledError } from "./errors.ts";
import type { TokenProvider } from "./auth.ts";

let emu: RunningEmulator;
let control: EmulatorControl;
let delays: number[];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, records: 300 });
  control = emulatorControl(emu.url, emu.token);
});
afterAll(() => emu.close());
beforeEach(async () => {
  delays = [];
  await control.reset();
});

/** A client that records its waits instead of sleeping. */
function makeClient(extra: Partial<DataverseClientOptions> = {}): DataverseClient {
  return new DataverseClient({
    url: emu.url, token: emu.token, random: () => 0.5,
    sleep: async (ms) => void delays.push(ms),
    ...extra,
  });
}

describe("throttling and transient failures", () => {
  it("waits Retry-After (with jitter) on 429 and succeeds", async () => {
    await control.injectFaults({ status: 429, count: 3, retryAfterSeconds: 2 });
    const who = await makeClient().whoAmI();
    expect(who.userId).toBeTruthy();
    expect(delays).toHaveLength(3);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(2000), expect(d).toBeLessThan(3000);
    expect((await control.status()).fault).toBeNull();
  });

  it("caps a single wait at maxRetryAfterSeconds", async () => {
    await control.injectFaults({ status: 429, count: 1, retryAfterSeconds: 3600 });
    await makeClient({ maxRetryAfterSeconds: 5 }).whoAmI();
    expect(delays[0]).toBeGreaterThanOrEqual(5000);
    expect(delays[0]).toBeLessThan(6100);
  });

  it("throws ThrottledError when throttling outlasts the budget", async () => {
    await control.injectFaults({ status: 429, count: 50, retryAfterSeconds: 10 });
    const err = await makeClient({ maxThrottleWaitSeconds: 25 }).whoAmI().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThrottledError);
    expect((err as Error).message).toMatch(/throttling.*Reduce parallel exports/);
    expect(delays).toHaveLength(2);
  });

  it("backs off exponentially on 503 and recovers", async () => {
    await control.injectFaults({ status: 503, count: 3 });
    const tables = await makeClient({ baseDelayMs: 100 }).listTables();
    expect(tables.length).toBeGreaterThan(5);
    expect(delays).toEqual([75, 150, 300]);
  });

  it("retries dropped connections", async () => {
    await control.injectFaults({ status: 0, count: 2 });
    expect(await makeClient().retrieveVersion()).toMatch(/^9\.2/);
    expect(delays).toHaveLength(2);
  });

  it("gives DataverseUnavailableError after maxRetries", async () => {
    await control.injectFaults({ status: 500, count: 10 });
    const err = await makeClient({ maxRetries: 2 }).whoAmI().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataverseUnavailableError);
    expect((err as Error).message).toContain(emu.url);
    expect(delays).toHaveLength(2);
  });

  it("keeps reading pages through faults in the middle of an export", async () => {
    const client = makeClient();
    const account = (await client.getTableSchema("account")).table;
    let n = 0;
    let injected = false;
    for await (const p of client.readChanges(account, { select: ["name"], pageSize: 50 })) {
      n += p.upserts.length;
      if (!injected) {
        injected = true;
        await control.injectFaults({ status: 429, count: 2, retryAfterSeconds: 0 });
      }
    }
    expect(n).toBe(300);
    expect(delays).toHaveLength(2);
  });

  it("slow responses still arrive (and a short timeout retries)", async () => {
    await control.slow({ ms: 150 });
    const t0 = Date.now();
    await makeClient().whoAmI();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const err = await makeClient({ timeoutMs: 30, maxRetries: 1 }).whoAmI().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataverseUnavailableError);
    expect(delays).toHaveLength(1);
  });
});

describe("authentication and URLs", () => {
  it("refreshes the token once after a 401", async () => {
    const calls: boolean[] = [];
    const provider: TokenProvider = {
      async getToken(force = false) {
        calls.push(force);
        return calls.includes(true) ? emu.token : "stale-token";
      },
    };
    const who = await makeClient({ tokenProvider: provider }).whoAmI();
    expect(who.userId).toBeTruthy();
    expect(calls).toEqual([false, true, false]);
  });

  it("a wrong static token gives AuthenticationError saying what to check", async () => {
    const err = await makeClient({ token: "wrong" }).whoAmI().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/rejected the access token \(401\).*application user/);
  });

  it("bad client credentials give AuthenticationError", async () => {
    // An authority that refuses connections: MSAL fails without reaching the network.
    const client = new DataverseClient({ url: emu.url, tenantId: "00000000-0000-0000-0000-000000000000", clientId: "11111111-1111-1111-1111-111111111111", clientSecret: "nope", authorityHost: "https://127.0.0.1:9" });
    const err = await client.whoAmI().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/tenant '00000000-0000-0000-0000-000000000000'/);
    expect(() => new DataverseClient({ url: emu.url, tenantId: "t", clientId: "c" })).toThrow(/Missing clientSecret/);
    expect(() => new DataverseClient({ url: emu.url })).toThrow(AuthenticationError);
  });

  it("malformed URLs give InvalidUrlError", () => {
    expect(() => new DataverseClient({ url: "not a url", token: "x" })).toThrow(InvalidUrlError);
    expect(() => new DataverseClient({ url: "ftp://org.crm.dynamics.com", token: "x" })).toThrow(/not an http\(s\) URL/);
  });

  it("an unreachable host gives DataverseUnavailableError naming the URL", async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const err = await makeClient({ url: `http://127.0.0.1:${port}`, maxRetries: 1 }).whoAmI().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataverseUnavailableError);
    expect((err as Error).message).toContain(`http://127.0.0.1:${port}`);
  });

  it("a host that is not Dataverse gives InvalidUrlError", async () => {
    const srv = createServer((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<html>nope</html>"));
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const err = await makeClient({ url }).whoAmI().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidUrlError);
      expect((err as Error).message).toMatch(/check the environment URL/);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it("a last page without a delta link means change tracking was not applied", async () => {
    const fake: typeof fetch = async () => new Response(JSON.stringify({ value: [{ "@odata.etag": 'W/"5"', thingid: "a" }] }), { status: 200 });
    const client = new DataverseClient({ url: "https://org.crm.dynamics.com", token: "x", fetch: fake });
    const t = { logicalName: "thing", schemaName: "Thing", entitySetName: "things", primaryIdAttribute: "thingid", displayName: "Thing", changeTrackingEnabled: true, isIntersect: false };
    const it = client.readChanges(t, { select: [], from: "https://org.crm.dynamics.com/api/data/v9.2/things?$select=thingid" });
    await expect(it[Symbol.asyncIterator]().next()).rejects.toThrow(ChangeTrackingNotEnabledError);
  });

  it("never sends the token to another host", async () => {
    const client = makeClient();
    const t = (await client.getTableSchema("team")).table;
    const it = client.readChanges(t, { select: ["name"], from: "https://evil.example.com/api/data/v9.2/teams?$deltatoken=1" });
    await expect(it[Symbol.asyncIterator]().next()).rejects.toThrow(InvalidUrlError);
  });
});
