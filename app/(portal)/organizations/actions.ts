"use server";

import { requireActor, requireAdminActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runAction } from "@/lib/http/action-result";
import { addOrganization, testOrganizationConnection } from "@/lib/organizations/service";

export async function addOrganizationAction(input: unknown) {
  return runAction("organizations.add", async () => addOrganization(db, await requireAdminActor(), input));
}

// Read-only (WhoAmI): a viewer may check a connection too.
export async function testOrganizationConnectionAction(id: unknown) {
  return runAction("organizations.test", async () => testOrganizationConnection(db, await requireActor(), id));
}
