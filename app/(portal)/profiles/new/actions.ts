"use server";

import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runAction } from "@/lib/http/action-result";
import { createProfile } from "@/lib/profiles/service";
import { testTargetConnection, validateProfile } from "@/lib/profiles/validation";

// The services decide who may: admins with any target, contributors over a connection shared with
// them (these connect to the target the caller names, so never a viewer).
export async function validateProfileAction(input: unknown) {
  return runAction("profiles.validate", async () => validateProfile(db, await requireActor(), input));
}

export async function testTargetConnectionAction(input: unknown) {
  return runAction("profiles.testTarget", async () => testTargetConnection(db, await requireActor(), input));
}

export async function createProfileAction(input: unknown, options: { activate?: unknown } = {}) {
  return runAction("profiles.create", async () => {
    const actor = await requireActor();
    const profile = await createProfile(db, actor, input, { activate: options?.activate === true });
    return { id: profile.id, name: profile.name };
  });
}
