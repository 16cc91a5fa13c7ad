"use server";

import { requireAdminActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runAction } from "@/lib/http/action-result";
import { acceptPrivacyTerms } from "@/lib/organizations/service";

export async function acceptPrivacyTermsAction(id: unknown) {
  return runAction("organizations.acceptPrivacy", async () => acceptPrivacyTerms(db, await requireAdminActor(), id));
}
