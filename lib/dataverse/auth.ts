// Bearer tokens: a static one (emulator, tests) or Entra ID client credentials through MSAL.
import { ConfidentialClientApplication } from "@azure/msal-node";
import { AuthenticationError } from "./errors.ts";

export interface TokenProvider {
  /** A valid access token; `forceRefresh` after the service answered 401. */
  getToken(forceRefresh?: boolean): Promise<string>;
}

export class StaticTokenProvider implements TokenProvider {
  constructor(private readonly token: string) {}
  async getToken(): Promise<string> {
    return this.token;
  }
}

export interface ClientCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Defaults to https://login.microsoftonline.com (set for sovereign clouds). */
  authorityHost?: string;
}

/** Refreshes this long before expiry so a page request never leaves with a token about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export class MsalTokenProvider implements TokenProvider {
  private readonly app: ConfidentialClientApplication;
  private readonly scope: string;
  private cached: { token: string; expiresAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(environmentUrl: string, private readonly creds: ClientCredentials, private readonly now: () => number = Date.now) {
    for (const k of ["tenantId", "clientId", "clientSecret"] as const) {
      if (!creds[k]?.trim()) throw new AuthenticationError(`Missing ${k}: give the tenant id, client id and client secret of the app registration that has an application user in the environment.`, 0, "MissingCredentials");
    }
    this.scope = `${new URL(environmentUrl).origin}/.default`;
    this.app = new ConfidentialClientApplication({
      auth: {
        clientId: creds.clientId,
        clientSecret: creds.clientSecret,
        authority: `${creds.authorityHost ?? "https://login.microsoftonline.com"}/${creds.tenantId}`,
      },
    });
  }

  async getToken(forceRefresh = false): Promise<string> {
    if (!forceRefresh && this.cached && this.cached.expiresAt - REFRESH_MARGIN_MS > this.now()) return this.cached.token;
    // Concurrent page reads share one token request.
    this.pending ??= this.acquire(forceRefresh).finally(() => (this.pending = null));
    return this.pending;
  }

  private async acquire(forceRefresh: boolean): Promise<string> {
    try {
      const result = await this.app.acquireTokenByClientCredential({ scopes: [this.scope], skipCache: forceRefresh });
      if (!result?.accessToken) throw new Error("Entra ID returned no access token");
      this.cached = { token: result.accessToken, expiresAt: result.expiresOn?.getTime() ?? this.now() + 30 * 60_000 };
      return result.accessToken;
    } catch (err) {
      throw new AuthenticationError(describeMsalError(err, this.creds, this.scope), 401, "TokenRequestFailed", { cause: err });
    }
  }
}

function describeMsalError(err: unknown, creds: ClientCredentials, scope: string): string {
  const text = err instanceof Error ? err.message : String(err);
  const aadsts = /AADSTS(\d+)/.exec(text)?.[1];
  const hint: Record<string, string> = {
    "7000215": "The client secret is wrong: copy the secret's Value (not its ID) from the app registration's Certificates & secrets page.",
    "7000222": "The client secret has expired: create a new one in the app registration.",
    "700016": `No application with client id '${creds.clientId}' exists in tenant '${creds.tenantId}': check the client id and tenant id.`,
    "90002": `Tenant '${creds.tenantId}' was not found: check the tenant (directory) id.`,
    "500011": `The resource '${scope}' is not known to the tenant: check the environment URL.`,
  };
  if (aadsts && hint[aadsts]) return `Sign-in to Entra ID failed (AADSTS${aadsts}). ${hint[aadsts]}`;
  if (/network|ENOTFOUND|ECONN|fetch failed|endpoints_resolution/i.test(text)) {
    return `Could not reach Entra ID to get a token for tenant '${creds.tenantId}': check the network and the tenant id. (${text.split("\n")[0]})`;
  }
  return `Sign-in to Entra ID failed for client id '${creds.clientId}' in tenant '${creds.tenantId}': ${text.split("\n")[0]}. Check the tenant id, client id and client secret.`;
}
