"use server";

import { requireActor } from "@/lib/auth/session";
import { createConnection, deleteConnection, detachExport, updateConnection } from "@/lib/connections/service";
import { db } from "@/lib/db";
import { runAction } from "@/lib/http/action-result";

// Admins only (the services check): connections carry secrets and the privacy agreement.
export async function createConnectionAction(input: unknown) {
  return runAction("connections.create", async () => {
    const c = await createConnection(db, await requireActor(), input);
    return { id: c.id, name: c.name };
  });
}

export async function updateConnectionAction(input: { id?: unknown; changes?: unknown }) {
  return runAction("connections.update", async () => {
    const id = input && typeof input === "object" ? input.id : undefined;
    const c = await updateConnection(db, await requireActor(), id, input?.changes);
    return { id: c.id, name: c.name };
  });
}

export async function deleteConnectionAction(id: unknown) {
  return runAction("connections.delete", async () => deleteConnection(db, await requireActor(), id));
}

export async function detachExportAction(profileId: unknown) {
  return runAction("connections.detach", async () => detachExport(db, await requireActor(), profileId));
}
