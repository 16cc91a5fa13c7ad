import { requireAdminActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { readJson, runRoute } from "@/lib/http/route-result";
import { deleteUser, setEntraIdentity, setUserRole } from "@/lib/users/service";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export async function PATCH(req: Request, ctx: Ctx) {
  const { id } = await ctx.params;
  return runRoute("PATCH /api/users/:id", async () => {
    const actor = await requireAdminActor();
    const body = (await readJson(req)) as Record<string, unknown> | null;
    // {"role": …} changes the role; {"entraObjectId": …, "entraTenantId": …} links an Entra ID identity.
    if (body && ("entraObjectId" in body || "entraTenantId" in body) && !("role" in body)) {
      return setEntraIdentity(db, actor, { id, entraObjectId: body.entraObjectId ?? null, entraTenantId: body.entraTenantId ?? null });
    }
    return setUserRole(db, actor, { id, role: body?.role });
  });
}

export async function DELETE(_req: Request, ctx: Ctx) {
  const { id } = await ctx.params;
  return runRoute("DELETE /api/users/:id", async () => deleteUser(db, await requireAdminActor(), id));
}
