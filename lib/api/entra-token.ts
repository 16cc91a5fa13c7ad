import "server-only";
// Verifies a Microsoft Entra ID access token issued for this app (audience = its client id), with
// the tenant's published signing keys, through `jose`: its remote key set is cached and refetched
// on an unknown `kid` at most once a minute, so an anonymous caller sending made-up key ids cannot
// make this server hammer Entra ID.
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from "jose";
import { entraIdentity, type EntraClaims, type EntraIdentity } from "../auth/entra";
import { UnauthorizedError } from "../errors";

export interface EntraVerifyOptions {
  tenantId: string;
  clientId: string;
  authorityHost?: string;
  fetch?: typeof fetch;
  now?: () => number;
}


const SKEW_SECONDS = 120;
/** An unknown key id refetches the key set at most this often. */
export const KEYS_COOLDOWN_MS = 60_000;
const KEYS_MAX_AGE_MS = 60 * 60 * 1000;
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(url: string, fetchImpl?: typeof fetch) {
  // One set per URL and fetch function: tests inject their own fetch; production shares one.
  const key = fetchImpl ? `${url}#injected` : url;
  let set = keySets.get(key);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), {
      cooldownDuration: KEYS_COOLDOWN_MS,
      cacheMaxAge: KEYS_MAX_AGE_MS,
      headers: { Accept: "application/json" },
      ...(fetchImpl ? { [customFetch]: (u: string, o: RequestInit) => fetchImpl(u, o) } : {}),
    });
    keySets.set(key, set);
  }
  return set;
}

/** Forget cached key sets (tests that swap the fetch function between cases). */
export function resetEntraKeyCache(): void {
  keySets.clear();
}

export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

function explain(err: unknown, clientId: string): UnauthorizedError {
  if (err instanceof UnauthorizedError) return err;
  if (err instanceof errors.JWKSNoMatchingKey) return new UnauthorizedError("The access token was not signed by a key of this tenant.");
  if (err instanceof errors.JWSSignatureVerificationFailed) return new UnauthorizedError("The access token's signature is not valid.");
  if (err instanceof errors.JOSEAlgNotAllowed) return new UnauthorizedError("The access token must be signed with RS256 by Entra ID.");
  if (err instanceof errors.JWTExpired) return new UnauthorizedError("The access token has expired.");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "iss") return new UnauthorizedError("The access token was issued for another tenant.");
    if (err.claim === "aud") return new UnauthorizedError(`The access token is not for this API: request it for the scope api://${clientId}/.default.`);
    if (err.claim === "nbf") return new UnauthorizedError("The access token is not valid yet.");
    if (err.claim === "exp") return new UnauthorizedError("The access token has expired.");
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || (err instanceof errors.JOSEError && err.code === "ERR_JOSE_GENERIC")) {
    return new UnauthorizedError("The access token could not be checked: Entra ID's signing keys are unreachable from this server.");
  }
  if (err instanceof TypeError) return new UnauthorizedError("The access token could not be checked: Entra ID's signing keys are unreachable from this server.");
  return new UnauthorizedError("The access token is not a valid JWT.");
}

export async function verifyEntraAccessToken(token: string, opts: EntraVerifyOptions): Promise<EntraIdentity> {
  if (!looksLikeJwt(token)) throw new UnauthorizedError("The access token is not a valid JWT.");
  const authority = (opts.authorityHost ?? "https://login.microsoftonline.com").replace(/\/$/, "");
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, keySet(`${authority}/${opts.tenantId}/discovery/v2.0/keys`, opts.fetch), {
      algorithms: ["RS256"],
      issuer: [`${authority}/${opts.tenantId}/v2.0`, `https://sts.windows.net/${opts.tenantId}/`],
      audience: [opts.clientId, `api://${opts.clientId}`],
      requiredClaims: ["exp"],
      clockTolerance: SKEW_SECONDS,
      ...(opts.now ? { currentDate: new Date(opts.now()) } : {}),
    }));
  } catch (err) {
    throw explain(err, opts.clientId);
  }
  // The user is its object id + tenant id; email-like claims can be changed and identify no one.
  // An app-only token has an oid (the app's) but no user: its `idtyp` says "app".
  const who = claims.idtyp === "app" ? null : entraIdentity(claims as EntraClaims);
  if (!who) throw new UnauthorizedError("The access token names no user (an app-only token cannot use this API; use an API token).");
  return who;
}
