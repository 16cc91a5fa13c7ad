"use server";

import { requireAdminActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runAction } from "@/lib/http/action-result";
import { createProfile } from "@/lib/profiles/service";
import { testTargetConnection, validateProfile } from "@/lib/profiles/validation";

// Admin only even though they write nothing: they connect to whatever target the caller names.
export async function validateProfileAction(input: unknown) {
  return runAction("profiles.validate", async () => validateProfile(db, await requireAdminActor(), input));
}

export async function testTargetConnectionAction(input: unknown) {
  return runAction("profiles.testTarget", async () => testTargetConnection(db, await requireAdminActor(), input));
}

export async function createProfileAction(input: unknown, options: { activate?: unknown } = {}) {
  return runAction("profiles.create", async () => {
    const actor = await requireAdminActor();
    const profile = await createProfile(db, actor, input, { activate: options?.activate === true });
    return { id: profile.id, name: profile.name };
  });
}
