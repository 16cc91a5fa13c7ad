"use server";

import { requireAdminActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runAction } from "@/lib/http/action-result";
import { createUser, deleteUser, setEntraIdentity, setUserRole } from "@/lib/users/service";

export async function createUserAction(input: unknown) {
  return runAction("users.create", async () => createUser(db, await requireAdminActor(), input));
}

export async function setUserRoleAction(input: unknown) {
  return runAction("users.setRole", async () => setUserRole(db, await requireAdminActor(), input));
}

export async function deleteUserAction(id: unknown) {
  return runAction("users.delete", async () => deleteUser(db, await requireAdminActor(), id));
}

export async function setUserEntraIdentityAction(input: unknown) {
  return runAction("users.setEntraIdentity", async () => setEntraIdentity(db, await requireAdminActor(), input));
}
