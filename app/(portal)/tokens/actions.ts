"use server";

import { createApiToken, revokeApiToken } from "@/lib/api/tokens";
import { requireAdminActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runAction } from "@/lib/http/action-result";

export async function createTokenAction(input: unknown) {
  return runAction("tokens.create", async () => createApiToken(db, await requireAdminActor(), input));
}

export async function revokeTokenAction(id: unknown) {
  return runAction("tokens.revoke", async () => revokeApiToken(db, await requireAdminActor(), id));
}
