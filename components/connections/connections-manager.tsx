"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState, useTransition } from "react";
import { createConnectionAction } from "@/app/(portal)/connections/actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { CheckboxField } from "@/components/ui/checkbox-field";
import { Field } from "@/components/ui/field";
import { SelectField } from "@/components/ui/select-field";
import { formatUtc } from "@/components/ui/time-text";
import { TARGET_TYPE_LABELS } from "@/lib/connections/labels";
import type { ConnectionDetail } from "@/lib/connections/service";
import { ScrollRegion } from "@/components/ui/scroll-region";

const TYPES = Object.entries(TARGET_TYPE_LABELS).map(([value, label]) => ({ value, label }));
const WHO = [
  { value: "false", label: "Admins only" },
  { value: "true", label: "Admins and contributors" },
] as const;

export function ConnectionsManager({ connections }: { connections: ConnectionDetail[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    startTransition(async () => {
      const result = await createConnectionAction({
        name: form.get("name"),
        destinationType: form.get("destinationType"),
        connectionString: form.get("connectionString"),
        sharedWithContributors: form.get("sharedWithContributors"),
        agreeToTerms: form.get("agreeToTerms") === "on",
      });
      if (result.ok) {
        setFieldErrors({});
        setMessage({ tone: "success", text: `The connection "${result.data.name}" is saved. Its secret is not shown again.` });
        formEl.reset();
        router.refresh();
      } else {
        setFieldErrors(result.fieldErrors ?? {});
        setMessage({ tone: "error", text: result.error });
      }
    });
  }

  return (
    <div className="space-y-8">
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <Card title="Connections">
        {connections.length === 0 ? (
          <p className="text-sm text-slate-600">No connections yet.</p>
        ) : (
          <ScrollRegion label="Connections">
            <table className="min-w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-slate-600">
                <tr>
                  <th scope="col" className="py-2 pr-4 font-medium">Display name</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Type</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Who may use it</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Agreement</th>
                  <th scope="col" className="py-2 font-medium">Exports</th>
                </tr>
              </thead>
              <tbody>
                {connections.map((c) => (
                  <tr key={c.id} className="border-b border-slate-100 last:border-0" data-testid={`connection-${c.name}`}>
                    <td className="py-2 pr-4 font-medium">
                      <Link className="text-blue-800 underline" href={`/connections/${c.id}`}>{c.name}</Link>
                    </td>
                    <td className="py-2 pr-4">{TARGET_TYPE_LABELS[c.destinationType]}</td>
                    <td className="py-2 pr-4">{c.sharedWithContributors ? "Admins and contributors" : "Admins only"}</td>
                    <td className="py-2 pr-4">
                      {formatUtc(c.termsAcceptedAt)}
                      <span className="block text-xs text-slate-500">by {c.termsAcceptedBy}</span>
                    </td>
                    <td className="py-2">{c.exports.length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      </Card>

      <form onSubmit={onCreate} noValidate aria-label="Add a connection" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="text-lg font-semibold">Add a connection</h2>
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Display name" name="name" autoComplete="off" hint="Say what it is for and where it goes." error={fieldErrors.name} />
          <SelectField label="Type" name="destinationType" defaultValue="datalake" options={TYPES} error={fieldErrors.destinationType} />
          <Field
            label="Connection string"
            name="connectionString"
            type="password"
            autoComplete="off"
            hint="As for a profile's target (lake:PATH, abfss://…, postgres://…). Stored encrypted; never shown again."
            error={fieldErrors.connectionString}
          />
          <SelectField label="Who may use it" name="sharedWithContributors" defaultValue="false" options={WHO} error={fieldErrors.sharedWithContributors} />
        </div>
        <CheckboxField
          label="I agree to the data privacy and compliance terms"
          name="agreeToTerms"
          hint="Data exported over this connection leaves Dataverse's security model: anyone with access to the target can read it. Your name and the time are recorded."
          error={fieldErrors.agreeToTerms}
        />
        <Button type="submit" disabled={pending}>
          {pending ? "Working…" : "Save connection"}
        </Button>
      </form>
    </div>
  );
}
