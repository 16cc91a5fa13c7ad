"use server";

import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runAction } from "@/lib/http/action-result";
import { updateProfile } from "@/lib/profiles/service";

export async function updateProfileAction(input: { id?: unknown; changes?: unknown }) {
  return runAction("profiles.update", async () => {
    const id = input && typeof input === "object" ? input.id : undefined;
    const profile = await updateProfile(db, await requireActor(), id, input?.changes);
    return { id: profile.id, name: profile.name };
  });
}
