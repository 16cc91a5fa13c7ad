"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { SelectField } from "@/components/ui/select-field";
import { formatUtc } from "@/components/ui/time-text";
import type { ApiTokenSummary } from "@/lib/api/token-store";
import { createTokenAction, revokeTokenAction } from "./actions";
import { ScrollRegion } from "@/components/ui/scroll-region";

const ROLES = [
  { value: "viewer", label: "viewer — reads organizations, profiles, status and failure logs" },
  { value: "contributor", label: "contributor — may also create, change, run and delete exports over connections shared with contributors" },
  { value: "admin", label: "admin — may also create, change, activate and delete profiles" },
] as const;

export function TokensManager({ tokens }: { tokens: ApiTokenSummary[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState(false);

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    startTransition(async () => {
      const result = await createTokenAction({ name: form.get("name"), role: form.get("role") });
      if (result.ok) {
        setFieldErrors({});
        setMessage(null);
        setCopied(false);
        setCreated({ name: result.data.summary.name, token: result.data.token });
        formEl.reset();
        router.refresh();
      } else {
        setFieldErrors(result.fieldErrors ?? {});
        setMessage({ tone: "error", text: result.error });
      }
    });
  }

  function onRevoke(t: ApiTokenSummary) {
    if (!window.confirm(`Revoke the token "${t.name}"? Scripts using it stop working at once.`)) return;
    startTransition(async () => {
      const result = await revokeTokenAction(t.id);
      setMessage(result.ok ? { tone: "success", text: `The token "${t.name}" is revoked.` } : { tone: "error", text: result.error });
      if (result.ok) router.refresh();
    });
  }

  async function copy(text: string) {
    await navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false));
  }

  return (
    <div className="space-y-8">
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      {created ? (
        <div role="status" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900">
          <p className="font-medium">Token “{created.name}” created. Copy it now: it is shown only once and cannot be recovered.</p>
          <div className="flex flex-wrap items-center gap-2">
            <code data-testid="new-token" className="break-all rounded bg-white px-2 py-1 font-mono text-slate-900">
              {created.token}
            </code>
            <Button type="button" variant="secondary" onClick={() => copy(created.token)}>
              {copied ? "Copied" : "Copy"}
            </Button>
            <Button type="button" variant="secondary" onClick={() => setCreated(null)}>
              Done
            </Button>
          </div>
        </div>
      ) : null}

      <Card title="Tokens">
        {tokens.length === 0 ? (
          <p className="text-sm text-slate-600">No API tokens yet.</p>
        ) : (
          <ScrollRegion label="API tokens">
            <table className="min-w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-slate-600">
                <tr>
                  <th scope="col" className="py-2 pr-4 font-medium">Name</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Role</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Starts with</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Created</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Last used</th>
                  <th scope="col" className="py-2 pr-4 font-medium">Status</th>
                  <th scope="col" className="py-2 font-medium"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr key={t.id} className="border-b border-slate-100 last:border-0">
                    <td className="py-2 pr-4 font-medium">{t.name}</td>
                    <td className="py-2 pr-4">{t.role}</td>
                    <td className="py-2 pr-4 font-mono">{t.prefix}…</td>
                    <td className="py-2 pr-4">
                      {formatUtc(t.createdAt)}
                      {t.createdBy ? <span className="block text-xs text-slate-500">by {t.createdBy}</span> : null}
                    </td>
                    <td className="py-2 pr-4">{formatUtc(t.lastUsedAt)}</td>
                    <td className="py-2 pr-4">{t.revokedAt ? `revoked ${formatUtc(t.revokedAt)}` : "active"}</td>
                    <td className="py-2 text-right">
                      {t.revokedAt ? null : (
                        <Button type="button" variant="danger" disabled={pending} onClick={() => onRevoke(t)} aria-label={`Revoke ${t.name}`}>
                          Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      </Card>

      <form onSubmit={onCreate} noValidate aria-label="Create an API token" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="text-lg font-semibold">Create a token</h2>
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Name" name="name" autoComplete="off" hint="What uses it, e.g. nightly-deploy." error={fieldErrors.name} />
          <SelectField label="Role" name="role" defaultValue="viewer" options={ROLES} error={fieldErrors.role} />
        </div>
        <Button type="submit" disabled={pending}>
          {pending ? "Working…" : "Create token"}
        </Button>
      </form>
    </div>
  );
}
