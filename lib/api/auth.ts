import "server-only";
// Who is calling the REST API: `Authorization: Bearer <token>` with an API token, or an Entra ID
// access token when Entra ID is configured. Read from the Request itself (no cookies, no
// next/headers), so route handlers work the same inside and outside Next.
import { entraConfig, entraPolicy } from "../auth/entra";
import type { Actor } from "../auth/actor";
import { clientIp } from "../auth/client-ip";
import type { Db } from "../db";
import { ForbiddenError, UnauthorizedError } from "../errors";
import { looksLikeJwt, verifyEntraAccessToken, type EntraVerifyOptions } from "./entra-token";
import { actorForApiToken, isApiToken } from "./tokens";
import { roleOf } from "../users/schemas";

export const MISSING_TOKEN =
  "Send an API token: Authorization: Bearer <token>. An admin creates one on the API tokens page or with `npx dataverse-export token create --name NAME --role admin|contributor|viewer`.";

export async function apiActor(db: Db, req: Request, entra: Partial<EntraVerifyOptions> = {}): Promise<Actor> {
  // The audit log keeps where a call came from (TRUST_PROXY decides whether x-forwarded-for counts).
  return { ...(await bearerActor(db, req, entra)), ip: clientIp(req.headers) };
}

async function bearerActor(db: Db, req: Request, entra: Partial<EntraVerifyOptions>): Promise<Actor> {
  const header = req.headers.get("authorization");
  if (!header) throw new UnauthorizedError(MISSING_TOKEN);
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new UnauthorizedError(`The Authorization header must be "Bearer <token>". ${MISSING_TOKEN}`);
  const token = m[1];
  if (isApiToken(token)) return actorForApiToken(db, token);
  const config = entraConfig();
  if (config && looksLikeJwt(token)) {
    const who = await verifyEntraAccessToken(token, { tenantId: config.tenantId, clientId: config.clientId, ...entra });
    if (!entraPolicy().allowedTenants.has(who.tenantId)) throw new ForbiddenError("Accounts of this Microsoft Entra tenant may not use this portal.");
    // Roles live in the portal's user list: the same person has the same rights in both. The user
    // is found by the token's object id + tenant id, never by an email-like claim.
    const user = await db.user.findUnique({
      where: { entraTenantId_entraObjectId: { entraTenantId: who.tenantId, entraObjectId: who.objectId } },
      select: { id: true, email: true, name: true, role: true },
    });
    if (!user) {
      throw new ForbiddenError(`This Microsoft Entra account (object id ${who.objectId}) is not linked to a portal user: sign in to the portal with it once, or ask an admin to link it.`);
    }
    return { ...user, role: roleOf(user.role) };
  }
  throw new UnauthorizedError("The API token is not valid.");
}
