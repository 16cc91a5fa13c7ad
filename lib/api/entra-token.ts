import "server-only";
// Verifies a Microsoft Entra ID access token issued for this app (audience = its client id), with
// the tenant's published signing keys. Only used when Entra ID sign-in is configured. Node's crypto
// checks the RS256 signature, so no JWT library is needed.
import crypto from "node:crypto";
import { UnauthorizedError } from "../errors";

export interface EntraVerifyOptions {
  tenantId: string;
  clientId: string;
  authorityHost?: string;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface EntraIdentity {
  email: string;
  name: string | null;
  objectId: string | null;
}

interface Jwk { kid?: string; kty: string; n?: string; e?: string; [k: string]: unknown }

const SKEW_SECONDS = 120;
const KEYS_TTL_MS = 60 * 60 * 1000;
const keyCache = new Map<string, { at: number; keys: Jwk[] }>();

function part<T>(s: string): T {
  try {
    return JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as T;
  } catch {
    throw new UnauthorizedError("The access token is not a valid JWT.");
  }
}

async function signingKeys(opts: EntraVerifyOptions, authority: string, refresh: boolean): Promise<Jwk[]> {
  const url = `${authority}/${opts.tenantId}/discovery/v2.0/keys`;
  const now = (opts.now ?? Date.now)();
  const hit = keyCache.get(url);
  if (hit && !refresh && now - hit.at < KEYS_TTL_MS) return hit.keys;
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, { headers: { Accept: "application/json" } });
  } catch {
    throw new UnauthorizedError("The access token could not be checked: Entra ID's signing keys are unreachable from this server.");
  }
  if (!res.ok) throw new UnauthorizedError(`The access token could not be checked: Entra ID answered ${res.status} for its signing keys.`);
  const keys = ((await res.json()) as { keys?: Jwk[] }).keys ?? [];
  keyCache.set(url, { at: now, keys });
  return keys;
}

export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

export async function verifyEntraAccessToken(token: string, opts: EntraVerifyOptions): Promise<EntraIdentity> {
  if (!looksLikeJwt(token)) throw new UnauthorizedError("The access token is not a valid JWT.");
  const [h, p, s] = token.split(".");
  const header = part<{ alg?: string; kid?: string }>(h);
  const claims = part<Record<string, unknown>>(p);
  if (header.alg !== "RS256" || !header.kid) throw new UnauthorizedError("The access token must be signed with RS256 by Entra ID.");
  const authority = (opts.authorityHost ?? "https://login.microsoftonline.com").replace(/\/$/, "");

  let jwk = (await signingKeys(opts, authority, false)).find((k) => k.kid === header.kid);
  // Entra ID rolls its keys: an unknown kid may be a new key.
  if (!jwk) jwk = (await signingKeys(opts, authority, true)).find((k) => k.kid === header.kid);
  if (!jwk) throw new UnauthorizedError("The access token was not signed by a key of this tenant.");
  const key = crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: "jwk" });
  if (!crypto.verify("RSA-SHA256", Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url"))) {
    throw new UnauthorizedError("The access token's signature is not valid.");
  }

  const issuers = [`${authority}/${opts.tenantId}/v2.0`, `https://sts.windows.net/${opts.tenantId}/`];
  if (typeof claims.iss !== "string" || !issuers.includes(claims.iss)) throw new UnauthorizedError("The access token was issued for another tenant.");
  const audiences = [opts.clientId, `api://${opts.clientId}`];
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => typeof a === "string" && audiences.includes(a))) {
    throw new UnauthorizedError(`The access token is not for this API: request it for the scope api://${opts.clientId}/.default.`);
  }
  const now = Math.floor((opts.now ?? Date.now)() / 1000);
  if (typeof claims.exp !== "number" || claims.exp + SKEW_SECONDS < now) throw new UnauthorizedError("The access token has expired.");
  if (typeof claims.nbf === "number" && claims.nbf - SKEW_SECONDS > now) throw new UnauthorizedError("The access token is not valid yet.");

  const email = [claims.preferred_username, claims.upn, claims.email].find((v): v is string => typeof v === "string" && v.includes("@"));
  if (!email) throw new UnauthorizedError("The access token names no user (an app-only token cannot use this API; use an API token).");
  return { email: email.toLowerCase(), name: typeof claims.name === "string" ? claims.name : null, objectId: typeof claims.oid === "string" ? claims.oid : null };
}
