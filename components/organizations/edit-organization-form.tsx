"use client";

import { useRouter } from "next/navigation";
import type { OrganizationSummary } from "@/lib/organizations/service";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Field } from "../ui/field";
import { useActionForm } from "../ui/hooks/use-action-form";
import { useUpdateOrganization } from "./hooks/use-organization-mutations";

/** Name and app registration of an organization; the client secret is write-only (empty keeps it). */
export function EditOrganizationForm({ organization: o }: { organization: OrganizationSummary }) {
  const update = useUpdateOrganization();
  const router = useRouter();
  const { fieldErrors, message, onSubmit } = useActionForm(
    async (form) => {
      const result = await update.mutateAsync({
        id: o.id,
        name: form.get("name"),
        tenantId: form.get("tenantId"),
        clientId: form.get("clientId"),
        clientSecret: form.get("clientSecret"),
        clientSecretExpiresAt: form.get("clientSecretExpiresAt"),
      });
      // The page's own data (the unreadable-secret notice) comes from the server.
      if (result.ok) router.refresh();
      return result;
    },
    (org) => `${org.name} was saved. Test its connection on the Organizations page.`,
  );

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="edit-org-heading" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <h2 id="edit-org-heading" className="text-lg font-semibold">
          App registration
        </h2>
        <p className="text-sm text-slate-600">The environment URL cannot change. The client secret is never shown: leave it empty to keep the stored one.</p>
      </div>
      {!o.secretReadable ? (
        <Alert tone="error">
          The stored client secret cannot be decrypted (it was written with another encryption key, or changed). Enter it again to use this
          organization.
        </Alert>
      ) : null}
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Name" name="name" autoComplete="off" defaultValue={o.name} error={fieldErrors.name} />
        <Field label="Tenant id" name="tenantId" autoComplete="off" defaultValue={o.tenantId ?? ""} error={fieldErrors.tenantId} />
        <Field label="Client id" name="clientId" autoComplete="off" defaultValue={o.clientId ?? ""} error={fieldErrors.clientId} />
        <Field
          label="Client secret"
          name="clientSecret"
          type="password"
          autoComplete="new-password"
          hint={o.secretReadable ? "Leave empty to keep the stored secret." : "Required: the stored secret cannot be decrypted."}
          error={fieldErrors.clientSecret}
        />
        <Field
          label="Client secret expires on"
          name="clientSecretExpiresAt"
          type="date"
          defaultValue={o.clientSecretExpiresOn ?? ""}
          hint="From the Azure portal (app registration → Certificates & secrets → Expires). A “client secret expires” alert rule warns N days before. Empty: not recorded."
          error={fieldErrors.clientSecretExpiresAt}
        />
      </div>
      <Button type="submit" disabled={update.isPending}>
        {update.isPending ? "Saving…" : "Save organization"}
      </Button>
    </form>
  );
}
