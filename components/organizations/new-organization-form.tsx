"use client";

import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Field } from "../ui/field";
import { useActionForm } from "../ui/hooks/use-action-form";
import { useAddOrganization } from "./hooks/use-organization-mutations";

export function NewOrganizationForm() {
  const add = useAddOrganization();
  const { fieldErrors, message, onSubmit } = useActionForm(
    (form) =>
      add.mutateAsync({
        name: form.get("name"),
        url: form.get("url"),
        tenantId: form.get("tenantId"),
        clientId: form.get("clientId"),
        clientSecret: form.get("clientSecret"),
      }),
    (org) => `${org.name} was added. Test its connection, then accept its privacy terms.`,
  );

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="new-org-heading" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <h2 id="new-org-heading" className="text-lg font-semibold">
          Add a Dataverse environment
        </h2>
        <p className="text-sm text-slate-600">
          An app registration in Microsoft Entra ID with an application user in the environment (see the README). The client secret is
          encrypted and never shown again.
        </p>
      </div>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Name" name="name" autoComplete="off" error={fieldErrors.name} hint="How the portal shows it, e.g. Contoso production." />
        <Field label="Environment URL" name="url" type="url" autoComplete="off" placeholder="https://contoso.crm.dynamics.com" error={fieldErrors.url} />
        <Field label="Tenant id" name="tenantId" autoComplete="off" placeholder="00000000-0000-0000-0000-000000000000" error={fieldErrors.tenantId} />
        <Field label="Client id" name="clientId" autoComplete="off" placeholder="00000000-0000-0000-0000-000000000000" error={fieldErrors.clientId} />
        <Field label="Client secret" name="clientSecret" type="password" autoComplete="new-password" error={fieldErrors.clientSecret} />
      </div>
      <Button type="submit" disabled={add.isPending}>
        {add.isPending ? "Adding…" : "Add environment"}
      </Button>
    </form>
  );
}
