"use server";

import { requireAdminActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runAction } from "@/lib/http/action-result";
import { updateOrganization } from "@/lib/organizations/service";

export async function updateOrganizationAction(input: unknown) {
  return runAction("organizations.update", async () => updateOrganization(db, await requireAdminActor(), input));
}
