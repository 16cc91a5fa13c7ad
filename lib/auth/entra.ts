// Microsoft Entra ID sign-in: configuration, and which portal user an Entra identity is.
//
// An Entra user is the pair object id (`oid`) + tenant id (`tid`), stored on the portal user when
// it is linked. The `email`, `preferred_username` and `upn` claims are NOT identities: users (or
// another tenant's admins) can change them, so they never decide who signs in. An Entra sign-in
// is never attached to an existing local (password) account.
import type { Db } from "../db";
import { ZEmail } from "../users/schemas";

/** Entra ID sign-in is on when all three are configured. */
export function entraConfig(): { clientId: string; clientSecret: string; tenantId: string } | null {
  const clientId = process.env.AZURE_AD_CLIENT_ID;
  const clientSecret = process.env.AZURE_AD_CLIENT_SECRET;
  const tenantId = process.env.AZURE_AD_TENANT_ID;
  return clientId && clientSecret && tenantId ? { clientId, clientSecret, tenantId } : null;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EntraPolicy {
  /** ENTRA_AUTO_PROVISION: an unknown Entra user of an allowed tenant gets a viewer account. */
  autoProvision: boolean;
  /** ENTRA_ALLOWED_TENANTS (default: AZURE_AD_TENANT_ID): Entra users of other tenants cannot sign in. */
  allowedTenants: ReadonlySet<string>;
  /** AZURE_AD_TENANT_ID when it is a tenant id (not "common"/"organizations"). */
  homeTenantId: string | null;
}

export function entraPolicy(env: Record<string, string | undefined> = process.env): EntraPolicy {
  const flag = (env.ENTRA_AUTO_PROVISION ?? "").trim().toLowerCase();
  if (!["", "true", "false", "on", "off", "yes", "no", "1", "0"].includes(flag)) {
    throw new Error(`ENTRA_AUTO_PROVISION must be true or false, got "${env.ENTRA_AUTO_PROVISION}"`);
  }
  const home = (env.AZURE_AD_TENANT_ID ?? "").trim().toLowerCase();
  const homeTenantId = GUID.test(home) ? home : null;
  const listed = (env.ENTRA_ALLOWED_TENANTS ?? "").split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
  const bad = listed.find((t) => !GUID.test(t));
  if (bad) throw new Error(`ENTRA_ALLOWED_TENANTS must list tenant ids (GUIDs), got "${bad}"`);
  return {
    autoProvision: ["true", "on", "yes", "1"].includes(flag),
    allowedTenants: new Set(listed.length ? listed : homeTenantId ? [homeTenantId] : []),
    homeTenantId,
  };
}

/** The claims of an Entra ID token this module reads (ID token at sign-in, access token for the API). */
export interface EntraClaims {
  oid?: unknown;
  tid?: unknown;
  email?: unknown;
  preferred_username?: unknown;
  upn?: unknown;
  name?: unknown;
}

export interface EntraIdentity {
  objectId: string;
  tenantId: string;
  /** For display and for a new account's email only; never to find a user. */
  email: string | null;
  name: string | null;
}

export function entraIdentity(claims: EntraClaims): EntraIdentity | null {
  const oid = typeof claims.oid === "string" ? claims.oid.toLowerCase() : "";
  const tid = typeof claims.tid === "string" ? claims.tid.toLowerCase() : "";
  if (!GUID.test(oid) || !GUID.test(tid)) return null;
  const email = [claims.email, claims.preferred_username, claims.upn]
    .map((v) => (typeof v === "string" ? ZEmail.safeParse(v) : null))
    .find((r) => r?.success)?.data;
  return { objectId: oid, tenantId: tid, email: email ?? null, name: typeof claims.name === "string" ? claims.name : null };
}

/** Why an Entra sign-in was refused: the sign-in page shows a message for each. */
export type EntraRefusal = "EntraNoIdentity" | "EntraTenantNotAllowed" | "EntraNotLinked" | "EntraEmailTaken";

export type EntraSignIn = { user: { id: string; email: string; role: string; tokenVersion: number } } | { refused: EntraRefusal };

const USER_SELECT = { id: true, email: true, role: true, tokenVersion: true } as const;

/**
 * The portal user an Entra sign-in is: the one linked to its oid + tid. Otherwise, in this order:
 * a user created by an Entra sign-in before identities were stored (no password, no identity,
 * same email, home tenant) is linked once; with ENTRA_AUTO_PROVISION a new viewer is created;
 * else the sign-in is refused. A local account with the same email is never taken over.
 */
export async function resolveEntraSignIn(db: Db, claims: EntraClaims, policy: EntraPolicy = entraPolicy()): Promise<EntraSignIn> {
  const who = entraIdentity(claims);
  if (!who) return { refused: "EntraNoIdentity" };
  if (!policy.allowedTenants.has(who.tenantId)) return { refused: "EntraTenantNotAllowed" };
  const linked = await db.user.findUnique({
    where: { entraTenantId_entraObjectId: { entraTenantId: who.tenantId, entraObjectId: who.objectId } },
    select: USER_SELECT,
  });
  if (linked) return { user: linked };

  if (who.email && who.tenantId === policy.homeTenantId) {
    // Accounts made by Entra sign-ins of earlier versions (matched by email then): linked to the
    // first home-tenant identity that signs in with their email, once; the condition is rechecked
    // in the update so that two sign-ins cannot both claim it.
    const legacy = await db.user.updateMany({
      where: { email: who.email, passwordHash: null, entraObjectId: null, entraTenantId: null },
      data: { entraObjectId: who.objectId, entraTenantId: who.tenantId },
    });
    if (legacy.count === 1) return { user: await db.user.findUniqueOrThrow({ where: { email: who.email }, select: USER_SELECT }) };
  }

  if (!policy.autoProvision) return { refused: "EntraNotLinked" };
  const email = who.email ?? `${who.objectId}@${who.tenantId}.entra.invalid`;
  try {
    const user = await db.user.create({
      data: { email, name: who.name, role: "viewer", entraObjectId: who.objectId, entraTenantId: who.tenantId },
      select: USER_SELECT,
    });
    return { user };
  } catch (err) {
    if ((err as { code?: string }).code !== "P2002") throw err;
    // The email belongs to another account (a local one, or another Entra identity): not ours.
    const again = await db.user.findUnique({
      where: { entraTenantId_entraObjectId: { entraTenantId: who.tenantId, entraObjectId: who.objectId } },
      select: USER_SELECT,
    });
    return again ? { user: again } : { refused: "EntraEmailTaken" };
  }
}
