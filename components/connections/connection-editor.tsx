"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState, useTransition } from "react";
import { deleteConnectionAction, detachExportAction, updateConnectionAction } from "@/app/(portal)/connections/actions";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { CheckboxField } from "@/components/ui/checkbox-field";
import { Field } from "@/components/ui/field";
import { SelectField } from "@/components/ui/select-field";
import { formatUtc } from "@/components/ui/time-text";
import type { ConnectionDetail } from "@/lib/connections/service";

const WHO = [
  { value: "false", label: "Admins only" },
  { value: "true", label: "Admins and contributors" },
] as const;

export function ConnectionEditor({ connection: c }: { connection: ConnectionDetail }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);

  function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(async () => {
      const result = await updateConnectionAction({
        id: c.id,
        changes: {
          name: form.get("name"),
          sharedWithContributors: form.get("sharedWithContributors"),
          connectionString: form.get("connectionString"),
          agreeToTerms: form.get("agreeToTerms") === "on",
        },
      });
      setFieldErrors(result.ok ? {} : (result.fieldErrors ?? {}));
      setMessage(result.ok ? { tone: "success", text: "Saved. Exports over this connection are kept." } : { tone: "error", text: result.error });
      if (result.ok) router.refresh();
    });
  }

  function onDetach(e: { id: string; name: string }) {
    if (!window.confirm(`Detach "${e.name}" from this connection? It stops (inactive) until an admin gives it a target.`)) return;
    startTransition(async () => {
      const result = await detachExportAction(e.id);
      setMessage(result.ok ? { tone: "success", text: `"${e.name}" is detached and inactive.` } : { tone: "error", text: result.error });
      if (result.ok) router.refresh();
    });
  }

  function onRemove() {
    if (!window.confirm(`Remove the connection "${c.name}"?`)) return;
    startTransition(async () => {
      const result = await deleteConnectionAction(c.id);
      if (result.ok) router.push("/connections");
      else setMessage({ tone: "error", text: result.error });
    });
  }

  return (
    <div className="space-y-8">
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <Card title="Details">
        <dl className="grid gap-2 text-sm md:grid-cols-2">
          <div><dt className="font-medium text-slate-600">Target</dt><dd data-testid="connection-target">{c.target}</dd></div>
          <div><dt className="font-medium text-slate-600">Who may use it</dt><dd>{c.sharedWithContributors ? "Admins and contributors" : "Admins only"}</dd></div>
          <div><dt className="font-medium text-slate-600">Data privacy and compliance</dt><dd>Agreed by {c.termsAcceptedBy}, {formatUtc(c.termsAcceptedAt)}</dd></div>
          <div><dt className="font-medium text-slate-600">Created</dt><dd>{formatUtc(c.createdAt)}{c.createdBy ? ` by ${c.createdBy}` : ""}</dd></div>
        </dl>
      </Card>

      <Card title="Exports over this connection">
        {c.exports.length === 0 ? (
          <p className="text-sm text-slate-600">None. The connection can be removed.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {c.exports.map((e) => (
              <li key={e.id} className="flex items-center justify-between py-2">
                <span>
                  <Link className="text-blue-800 underline" href={`/profiles/${e.id}`}>{e.name}</Link> <span className="text-slate-500">({e.state})</span>
                </span>
                <Button type="button" variant="secondary" disabled={pending} onClick={() => onDetach(e)} aria-label={`Detach ${e.name}`}>
                  Detach
                </Button>
              </li>
            ))}
          </ul>
        )}
      </Card>

      <form onSubmit={onSave} noValidate aria-label="Change the connection" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="text-lg font-semibold">Change</h2>
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Display name" name="name" defaultValue={c.name} autoComplete="off" error={fieldErrors.name} />
          <SelectField label="Who may use it" name="sharedWithContributors" defaultValue={String(c.sharedWithContributors)} options={WHO} error={fieldErrors.sharedWithContributors} />
          <Field label="New connection string" name="connectionString" type="password" autoComplete="off" hint="Leave empty to keep the stored one." error={fieldErrors.connectionString} />
        </div>
        <CheckboxField label="I agree to the data privacy and compliance terms" name="agreeToTerms" hint="Needed with a new connection string." error={fieldErrors.agreeToTerms} />
        <div className="flex gap-2">
          <Button type="submit" disabled={pending}>{pending ? "Working…" : "Save"}</Button>
          <Button type="button" variant="danger" disabled={pending} onClick={onRemove}>Remove connection</Button>
        </div>
      </form>
    </div>
  );
}
