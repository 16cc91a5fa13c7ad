// Token lifetime handling of the client-credentials provider, without reaching Entra ID.
import { describe, expect, it } from "vitest";
import { MsalTokenProvider } from "./auth.ts";
import { AuthenticationError } from "./errors.ts";

function provider(now: { t: number }) {
  const p = new MsalTokenProvider("https://org.crm.dynamics.com/main.aspx", { tenantId: "t", clientId: "c", clientSecret: "s" }, () => now.t);
  const calls: { scopes: string[]; skipCache?: boolean }[] = [];
  let n = 0;
  // Stand-in for Entra ID: each call issues a new token valid one hour.
  (p as unknown as { app: { acquireTokenByClientCredential: unknown } }).app.acquireTokenByClientCredential = async (req: { scopes: string[]; skipCache?: boolean }) => {
    calls.push(req);
    return { accessToken: `tok-${++n}`, expiresOn: new Date(now.t + 3600_000) };
  };
  return { p, calls };
}

describe("MsalTokenProvider", () => {
  it("asks for <environment>/.default, caches, and refreshes before expiry", async () => {
    const now = { t: 1_000_000 };
    const { p, calls } = provider(now);
    expect(await p.getToken()).toBe("tok-1");
    expect(calls[0].scopes).toEqual(["https://org.crm.dynamics.com/.default"]);
    now.t += 50 * 60_000;
    expect(await p.getToken()).toBe("tok-1");
    now.t += 6 * 60_000; // within 5 minutes of expiry
    expect(await p.getToken()).toBe("tok-2");
    expect(await p.getToken(true)).toBe("tok-3");
    expect(calls.at(-1)!.skipCache).toBe(true);
  });

  it("shares one token request between concurrent callers", async () => {
    const { p, calls } = provider({ t: 0 });
    const tokens = await Promise.all([p.getToken(), p.getToken(), p.getToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(calls).toHaveLength(1);
  });

  it("turns Entra ID errors into AuthenticationError with a hint", async () => {
    const p = new MsalTokenProvider("https://org.crm.dynamics.com", { tenantId: "t", clientId: "c", clientSecret: "s" });
    (p as unknown as { app: { acquireTokenByClientCredential: unknown } }).app.acquireTokenByClientCredential = async () => {
      throw new Error("invalid_client: AADSTS7000215: Invalid client secret provided.");
    };
    const err = await p.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/client secret is wrong/);
  });
});
