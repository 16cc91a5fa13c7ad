"use client";

import { useState, type FormEvent } from "react";
import { ALERT_KINDS, KIND_INFO, type TAlertKind } from "@/lib/alerts/schemas";
import type { AlertChannelView, AlertDeliveryView, AlertsOverview } from "@/lib/alerts/service";
import { Alert } from "../ui/alert";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Field } from "../ui/field";
import { SelectField } from "../ui/select-field";
import { formatUtc } from "../ui/time-text";
import {
  useAlerts, useCreateAlertChannel, useCreateAlertRule, useDeleteAlertChannel, useDeleteAlertRule, useSendTestAlert, useUpdateAlertChannel,
} from "./hooks/use-alerts";
import { ScrollRegion } from "@/components/ui/scroll-region";

type Message = { ok: boolean; text: string; fields?: Record<string, string> } | null;

const KIND_OPTIONS = ALERT_KINDS.map((k) => ({ value: k, label: KIND_INFO[k].label }));
const FORMAT_OPTIONS = [
  { value: "json", label: "JSON (generic)" },
  { value: "teams", label: "Microsoft Teams incoming webhook" },
  { value: "slack", label: "Slack incoming webhook" },
];
const SECURITY_OPTIONS = [
  { value: "starttls", label: "STARTTLS (usually port 587)" },
  { value: "tls", label: "TLS (usually port 465)" },
  { value: "none", label: "None (local relay only)" },
];

function Deliveries({ list }: { list: AlertDeliveryView[] }) {
  if (!list.length) return <span className="text-slate-600">no channel</span>;
  return (
    <ul className="space-y-1">
      {list.map((d) => (
        <li key={d.id} data-testid="alert-delivery">
          <Badge tone={d.ok ? "success" : "danger"}>{d.ok ? "sent" : "failed"}</Badge> {d.event} → {d.channelName}
          {d.attempts > 1 ? ` (${d.attempts} tries)` : ""}
          {d.error ? <span className="block text-red-800">{d.error}</span> : null}
        </li>
      ))}
    </ul>
  );
}

function RuleForm({ profileId }: { profileId: string }) {
  const create = useCreateAlertRule();
  const [kind, setKind] = useState<TAlertKind>("lag");
  const [message, setMessage] = useState<Message>(null);
  const info = KIND_INFO[kind];
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const r = await create.mutateAsync({ id: profileId, rule: { kind, ...(info.threshold ? { threshold: String(f.get("threshold") ?? "") } : {}) } });
    setMessage(r.ok ? { ok: true, text: `Rule added: ${r.data.description}.` } : { ok: false, text: r.error, fields: r.fieldErrors });
  }
  return (
    <form onSubmit={(e) => void onSubmit(e)} className="space-y-3" aria-label="Add an alert rule">
      <div className="grid gap-3 md:grid-cols-2">
        <SelectField label="Alert when" name="kind" id="alert-kind" options={KIND_OPTIONS} value={kind} onChange={(e) => setKind(e.currentTarget.value as TAlertKind)} error={message?.fields?.kind} />
        {info.threshold ? (
          <Field key={kind} label={`Threshold (${info.threshold})`} name="threshold" id="alert-threshold" inputMode="numeric" defaultValue={info.defaultThreshold} error={message?.fields?.threshold} />
        ) : null}
      </div>
      {kind === "credentials" ? (
        <p className="text-xs text-slate-600">
          Fires when Dataverse or Entra ID rejects the organization&apos;s credentials (wrong or expired client secret, no application user). The secret&apos;s
          expiry date is not known to the portal, so it cannot warn before the secret expires.
        </p>
      ) : null}
      {message ? <Alert tone={message.ok ? "success" : "error"}>{message.text}</Alert> : null}
      <Button type="submit" disabled={create.isPending}>{create.isPending ? "Adding…" : "Add rule"}</Button>
    </form>
  );
}

/** Adds a channel, or edits one (`editing`): its secret is kept unless entered again. */
function ChannelForm({ profileId, editing, onDone }: { profileId: string; editing?: AlertChannelView; onDone?: () => void }) {
  const create = useCreateAlertChannel();
  const update = useUpdateAlertChannel();
  const [kind, setKind] = useState<"webhook" | "email">(editing?.kind ?? "webhook");
  const [message, setMessage] = useState<Message>(null);
  // Bumped after a channel is added: the form remounts empty (its kind select stays as chosen).
  const [formKey, setFormKey] = useState(0);
  const pending = create.isPending || update.isPending;
  const e = editing?.email;
  const keep = editing ? "Leave empty to keep the stored one." : "Stored encrypted; never shown again.";
  const id = (k: string) => `alert-${editing ? `edit-${editing.id}-` : ""}${k}`;
  async function onSubmit(ev: FormEvent<HTMLFormElement>) {
    ev.preventDefault();
    const f = new FormData(ev.currentTarget);
    const s = (k: string) => String(f.get(k) ?? "");
    const channel =
      kind === "webhook"
        ? { kind, name: s("channelName"), url: s("url"), format: s("format") }
        : { kind, name: s("channelName"), host: s("host"), port: s("port"), security: s("security"), user: s("user"), password: s("password"), from: s("from"), to: s("to") };
    const r = editing ? await update.mutateAsync({ id: profileId, channelId: editing.id, channel }) : await create.mutateAsync({ id: profileId, channel });
    if (r.ok && editing) return onDone?.();
    if (r.ok) setFormKey((k) => k + 1);
    setMessage(r.ok ? { ok: true, text: `Channel "${r.data.name}" added. Its ${kind === "webhook" ? "URL" : "password"} is stored encrypted and not shown again.` } : { ok: false, text: r.error, fields: r.fieldErrors });
  }
  const err = (k: string) => message?.fields?.[k];
  return (
    <form key={formKey} onSubmit={(ev) => void onSubmit(ev)} className="space-y-3" aria-label={editing ? `Edit channel ${editing.name}` : "Add an alert channel"}>
      <div className="grid gap-3 md:grid-cols-2">
        <SelectField
          label="Channel kind"
          name="channelKind" id={id("channelKind")}
          options={[{ value: "webhook", label: "Webhook" }, { value: "email", label: "Email (SMTP)" }]}
          value={kind}
          disabled={Boolean(editing)}
          onChange={(ev) => {
            setKind(ev.currentTarget.value as "webhook" | "email");
            setMessage(null);
          }}
        />
        <Field label="Channel name" name="channelName" id={id("channelName")} defaultValue={editing?.name} error={err("name")} />
      </div>
      {kind === "webhook" ? (
        <div className="grid gap-3 md:grid-cols-2">
          <Field label="Webhook URL" name="url" id={id("url")} type="url" autoComplete="off" error={err("url")} hint={keep} />
          <SelectField label="Body format" name="format" id={id("format")} options={FORMAT_OPTIONS} defaultValue={editing?.format} error={err("format")} />
        </div>
      ) : (
        <div className="grid gap-3 md:grid-cols-3">
          <Field label="SMTP host" name="host" id={id("host")} defaultValue={e?.host} error={err("host")} />
          <Field label="SMTP port" name="port" id={id("port")} inputMode="numeric" defaultValue={e?.port ?? 587} error={err("port")} />
          <SelectField label="Security" name="security" id={id("security")} options={SECURITY_OPTIONS} defaultValue={e?.security} error={err("security")} />
          <Field label="SMTP user (optional)" name="user" id={id("user")} autoComplete="off" defaultValue={e?.user ?? ""} error={err("user")} />
          <Field label="SMTP password (optional)" name="password" id={id("password")} type="password" autoComplete="new-password" error={err("password")} hint={keep} />
          <Field label="From address" name="from" id={id("from")} type="email" defaultValue={e?.from} error={err("from")} />
          <Field label="To (comma-separated)" name="to" id={id("to")} defaultValue={e?.to.join(", ")} error={err("to")} />
        </div>
      )}
      {message ? <Alert tone={message.ok ? "success" : "error"}>{message.text}</Alert> : null}
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>{editing ? (pending ? "Saving…" : "Save channel") : pending ? "Adding…" : "Add channel"}</Button>
        {editing ? <Button type="button" variant="secondary" onClick={onDone}>Cancel</Button> : null}
      </div>
    </form>
  );
}

/** The profile's alert rules, channels (with "Send test alert") and alert history. */
export function ProfileAlerts({ profileId, isAdmin, initial }: { profileId: string; isAdmin: boolean; initial?: AlertsOverview }) {
  const query = useAlerts(profileId);
  const deleteRule = useDeleteAlertRule();
  const deleteChannel = useDeleteAlertChannel();
  const test = useSendTestAlert();
  const [testing, setTesting] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const v = query.data ?? initial;

  async function sendTest(channelId: string) {
    setTesting(channelId);
    setMessage(null);
    try {
      const r = await test.mutateAsync({ id: profileId, channelId });
      setMessage(r.ok ? { ok: true, text: `Test alert sent to "${r.data.channelName}".` } : { ok: false, text: r.error });
    } finally {
      setTesting(null);
    }
  }
  async function remove(what: "rule" | "channel", id: string) {
    const r = what === "rule" ? await deleteRule.mutateAsync({ id: profileId, ruleId: id }) : await deleteChannel.mutateAsync({ id: profileId, channelId: id });
    setMessage(r.ok ? { ok: true, text: what === "rule" ? "Rule removed." : "Channel removed." } : { ok: false, text: r.error });
  }

  return (
    <div className="space-y-6" data-testid="profile-alerts">
      <p className="text-sm text-slate-700">
        The worker checks these rules every 30 seconds. An alert is sent once when its condition starts and once more when it clears, to every channel
        below.
      </p>
      {query.error ? <Alert tone="error">Could not load: {query.error.message}</Alert> : null}
      {message ? <Alert tone={message.ok ? "success" : "error"}>{message.text}</Alert> : null}

      <div className="space-y-3">
        <h3 className="font-semibold">Rules</h3>
        {v?.rules.length ? (
          <ul className="space-y-2" data-testid="alert-rules">
            {v.rules.map((r) => (
              <li key={r.id} className="flex flex-wrap items-center gap-3 text-sm" data-testid="alert-rule">
                <span>{r.description}</span>
                {!r.enabled ? <Badge>off</Badge> : null}
                {isAdmin ? (
                  <Button variant="secondary" onClick={() => void remove("rule", r.id)} aria-label={`Remove rule: ${r.description}`}>Remove</Button>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-600">No alert rules.</p>
        )}
        {isAdmin ? <RuleForm profileId={profileId} /> : null}
      </div>

      <div className="space-y-3">
        <h3 className="font-semibold">Channels</h3>
        {v?.channels.length ? (
          <ul className="space-y-2" data-testid="alert-channels">
            {v.channels.map((c) => (
              <li key={c.id} className="flex flex-wrap items-center gap-3 text-sm" data-testid={`alert-channel-${c.name}`}>
                <span className="font-medium">{c.name}</span>
                <span className="text-slate-700">{c.description}</span>
                {isAdmin ? (
                  <>
                    <Button variant="secondary" onClick={() => void sendTest(c.id)} disabled={testing !== null} aria-label={`Send test alert to ${c.name}`}>
                      {testing === c.id ? "Sending…" : "Send test alert"}
                    </Button>
                    <Button variant="secondary" onClick={() => setEditing(c.id)} aria-label={`Edit channel ${c.name}`}>Edit</Button>
                    <Button variant="secondary" onClick={() => void remove("channel", c.id)} aria-label={`Remove channel ${c.name}`}>Remove</Button>
                  </>
                ) : null}
                {isAdmin && editing === c.id ? (
                  <div className="basis-full">
                    <ChannelForm profileId={profileId} editing={c} onDone={() => setEditing(null)} />
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-600">No channels: alerts are recorded here but sent nowhere.</p>
        )}
        {isAdmin ? <ChannelForm profileId={profileId} /> : null}
      </div>

      <div className="space-y-3">
        <h3 className="font-semibold">Alert history</h3>
        {v?.alerts.length ? (
          <ScrollRegion label="Alert history">
            <table className="w-full bg-white text-sm" data-testid="alert-history">
              <caption className="sr-only">Alerts of this profile, newest first</caption>
              <thead className="bg-slate-100 text-left text-slate-700">
                <tr>
                  <th scope="col" className="px-3 py-2">State</th>
                  <th scope="col" className="px-3 py-2">Alert</th>
                  <th scope="col" className="px-3 py-2">Fired</th>
                  <th scope="col" className="px-3 py-2">Resolved</th>
                  <th scope="col" className="px-3 py-2">Messages</th>
                </tr>
              </thead>
              <tbody>
                {v.alerts.map((a) => (
                  <tr key={a.id} className="border-t border-slate-100 align-top" data-testid="alert-row">
                    <td className="px-3 py-2"><Badge tone={a.open ? "danger" : "success"}>{a.open ? "Open" : "Resolved"}</Badge></td>
                    <td className="px-3 py-2 break-words">{a.message}</td>
                    <td className="px-3 py-2 whitespace-nowrap">{formatUtc(a.firedAt)}</td>
                    <td className="px-3 py-2 whitespace-nowrap">{a.resolvedAt ? formatUtc(a.resolvedAt) : "—"}</td>
                    <td className="px-3 py-2"><Deliveries list={a.deliveries} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        ) : (
          <p className="text-sm text-slate-600" data-testid="alert-history-empty">No alerts so far.</p>
        )}
        {v?.tests.length ? (
          <div className="space-y-1" data-testid="alert-tests">
            <h4 className="text-sm font-medium">Test alerts</h4>
            <ul className="space-y-1 text-sm">
              {v.tests.map((t) => (
                <li key={t.id} data-testid="alert-test">
                  <Badge tone={t.ok ? "success" : "danger"}>{t.ok ? "sent" : "failed"}</Badge> {formatUtc(t.at)} → {t.channelName}
                  {t.error ? <span className="block text-red-800">{t.error}</span> : null}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
    </div>
  );
}
