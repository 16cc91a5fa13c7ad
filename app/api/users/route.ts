import { requireAdminActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { readJson, runRoute } from "@/lib/http/route-result";
import { createUser, listUsers } from "@/lib/users/service";

export const dynamic = "force-dynamic";

export async function GET() {
  return runRoute("GET /api/users", async () => listUsers(db, await requireAdminActor()));
}

export async function POST(req: Request) {
  return runRoute("POST /api/users", async () => createUser(db, await requireAdminActor(), await readJson(req)), 201);
}
