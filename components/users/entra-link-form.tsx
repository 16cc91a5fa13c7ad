"use client";

import type { UserSummary } from "@/lib/users/service";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Field } from "../ui/field";
import { useActionForm } from "../ui/hooks/use-action-form";
import { useSetUserEntraIdentity } from "./hooks/use-user-mutations";

/** Links a user to the Entra ID identity (object id + tenant id) that may sign in as them. */
export function EntraLinkForm({ users }: { users: UserSummary[] }) {
  const link = useSetUserEntraIdentity();
  const { fieldErrors, message, onSubmit } = useActionForm(
    (form) => link.mutateAsync({ id: form.get("id"), entraObjectId: form.get("entraObjectId"), entraTenantId: form.get("entraTenantId") }),
    (user) => (user.entra ? `${user.email} now signs in with the Entra ID account ${user.entra.objectId}.` : `${user.email} is no longer linked to an Entra ID account.`),
  );

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Link a Microsoft Entra ID account" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h2 className="text-lg font-semibold">Link a Microsoft Entra ID account</h2>
      <p className="text-sm text-slate-600">
        The Entra ID user with this object id and tenant id (Entra admin center → Users → the user) then signs in as the chosen portal user. Leave both empty to unlink.
      </p>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <div className="grid gap-4 md:grid-cols-3">
        <div className="space-y-1">
          <label htmlFor="field-entra-user" className="block text-sm font-medium text-slate-700">
            Portal user
          </label>
          <select id="field-entra-user" name="id" className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm">
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.email}
              </option>
            ))}
          </select>
          {fieldErrors.id ? <p className="text-sm text-red-700">{fieldErrors.id}</p> : null}
        </div>
        <Field label="Object id" name="entraObjectId" autoComplete="off" error={fieldErrors.entraObjectId} />
        <Field label="Tenant id" name="entraTenantId" autoComplete="off" error={fieldErrors.entraTenantId} />
      </div>
      <Button type="submit" disabled={link.isPending}>
        {link.isPending ? "Linking…" : "Link"}
      </Button>
    </form>
  );
}
