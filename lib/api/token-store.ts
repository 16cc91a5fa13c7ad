// API tokens for the REST API: a random secret shown once, kept only as its SHA-256 hash (a
// token is 256 random bits, so a plain hash is enough; no slow KDF is needed to resist guessing).
// No "server-only" here: the CLI (`dataverse-export token`) calls these too; lib/api/tokens.ts is
// the server's entry.
import crypto from "node:crypto";
import { recordAudit } from "../audit/record";
import { type Actor, assertAdmin } from "../auth/actor";
import type { Db } from "../db";
import { NotFoundError, UnauthorizedError } from "../errors";
import { roleOf, type TRole } from "../users/schemas";
import { parseInput } from "../validation";
import { ZApiTokenId, ZNewApiToken } from "./schemas";

export const TOKEN_PREFIX = "dvx_";

export interface ApiTokenSummary {
  id: string;
  name: string;
  role: TRole;
  /** The token's first characters, to tell tokens apart. */
  prefix: string;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const SELECT = { id: true, name: true, role: true, prefix: true, createdBy: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

type Row = { id: string; name: string; role: string; prefix: string; createdBy: string | null; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null };

function toSummary(r: Row): ApiTokenSummary {
  return {
    id: r.id,
    name: r.name,
    role: roleOf(r.role),
    prefix: r.prefix,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  };
}

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token, "utf8").digest("hex");
}

export function isApiToken(text: string): boolean {
  return text.startsWith(TOKEN_PREFIX);
}

/** Creates a token; `token` is the only time the secret exists outside the caller's hands. */
export async function createApiToken(db: Db, actor: Actor, input: unknown): Promise<{ token: string; summary: ApiTokenSummary }> {
  assertAdmin(actor);
  const data = parseInput(ZNewApiToken, input);
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString("base64url");
  const row = await db.apiToken.create({
    data: { name: data.name, role: data.role, tokenHash: hashToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6), createdBy: actor.email },
    select: SELECT,
  });
  await recordAudit(db, actor, { action: "token.create", object: { type: "token", id: row.id, label: row.name }, after: { name: row.name, role: row.role, prefix: row.prefix } });
  return { token, summary: toSummary(row) };
}

export async function listApiTokens(db: Db, actor: Actor): Promise<ApiTokenSummary[]> {
  assertAdmin(actor);
  const rows = await db.apiToken.findMany({ select: SELECT, orderBy: [{ revokedAt: { sort: "asc", nulls: "first" } }, { createdAt: "desc" }] });
  return rows.map(toSummary);
}

/** Revoking twice is harmless; the first revocation time is kept. */
export async function revokeApiToken(db: Db, actor: Actor, id: unknown): Promise<ApiTokenSummary> {
  assertAdmin(actor);
  const tokenId = parseInput(ZApiTokenId, id);
  const revoked = await db.apiToken.updateMany({ where: { id: tokenId, revokedAt: null }, data: { revokedAt: new Date() } });
  const row = await db.apiToken.findUnique({ where: { id: tokenId }, select: SELECT });
  if (!row) throw new NotFoundError("That token does not exist.");
  // A second revocation changes nothing and is not recorded again.
  if (revoked.count > 0) {
    await recordAudit(db, actor, { action: "token.revoke", object: { type: "token", id: row.id, label: row.name }, before: { revokedAt: null }, after: { revokedAt: row.revokedAt } });
  }
  return toSummary(row);
}

/** The actor of an API token, or UnauthorizedError. */
export async function actorForApiToken(db: Db, token: string): Promise<Actor> {
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(token) }, select: { id: true, name: true, role: true, revokedAt: true } });
  if (!row) throw new UnauthorizedError("The API token is not valid.");
  if (row.revokedAt) throw new UnauthorizedError("This API token has been revoked. Ask an admin for a new one.");
  // Throttled so a busy script does not write on every request.
  const stale = new Date(Date.now() - 60_000);
  await db.apiToken.updateMany({ where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] }, data: { lastUsedAt: new Date() } });
  return { id: `token:${row.id}`, email: `token:${row.name}`, name: `API token "${row.name}"`, role: roleOf(row.role) };
}
