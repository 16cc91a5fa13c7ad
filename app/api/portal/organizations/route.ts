import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runRoute } from "@/lib/http/route-result";
import { listOrganizations } from "@/lib/organizations/service";

export const dynamic = "force-dynamic";

export async function GET() {
  return runRoute("GET /api/portal/organizations", async () => listOrganizations(db, await requireActor()));
}
