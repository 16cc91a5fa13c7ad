// What an alert says, and the three webhook bodies it is sent as: our own JSON, a Microsoft Teams
// card and a Slack message (both incoming-webhook formats), plus the email's subject and text.
import type { TAlertKind } from "./schemas";

export type AlertEvent = "fired" | "resolved" | "test";

export interface AlertMessage {
  event: AlertEvent;
  kind: TAlertKind | "test";
  profile: { id: string; name: string };
  /** What within the rule: the table for table-failed, `secret-expires:<date>` for credentials-expiry, else "". */
  subject: string;
  /** One line: what happened. */
  title: string;
  /** Details: figures, the error, what to do. */
  text: string;
  /** When this event happened (fired, resolved or the test). */
  at: Date;
  /** When the incident fired (resolved messages say how long it lasted). */
  firedAt?: Date;
  alertId?: string;
  /** The profile page, when the portal's public URL is known (PUBLIC_URL or NEXTAUTH_URL). */
  link?: string;
}

export type WebhookFormat = "json" | "teams" | "slack";

const EVENT_WORD: Record<AlertEvent, string> = { fired: "FIRING", resolved: "RESOLVED", test: "TEST" };

/** The portal page of a profile, when the public URL is configured. */
export function profileLink(profileId: string): string | undefined {
  const base = process.env.PUBLIC_URL || process.env.NEXTAUTH_URL;
  if (!base) return undefined;
  try {
    return new URL(`/profiles/${profileId}`, base).toString();
  } catch {
    return undefined;
  }
}

/** The table a table-failed alert is about (other kinds' subjects are keys, said in the title). */
const tableOf = (m: AlertMessage) => (m.kind === "table-failed" ? m.subject : "");

export function headline(m: AlertMessage): string {
  return `[${EVENT_WORD[m.event]}] ${m.profile.name}: ${m.title}`;
}

/** Our own JSON body: stable field names for scripts and other tools. */
export function jsonBody(m: AlertMessage) {
  return {
    source: "dataverse-export",
    event: m.event,
    kind: m.kind,
    profileId: m.profile.id,
    profileName: m.profile.name,
    subject: m.subject || null,
    title: m.title,
    text: m.text,
    at: m.at.toISOString(),
    firedAt: m.firedAt?.toISOString() ?? null,
    alertId: m.alertId ?? null,
    link: m.link ?? null,
  };
}

/** Microsoft Teams incoming webhook (Workflows or the older connector): one Adaptive Card. */
export function teamsBody(m: AlertMessage) {
  const color = m.event === "fired" ? "Attention" : m.event === "resolved" ? "Good" : "Accent";
  const facts = [
    { title: "Profile", value: m.profile.name },
    ...(tableOf(m) ? [{ title: "Table", value: tableOf(m) }] : []),
    { title: "Alert", value: m.kind },
    { title: "At", value: `${m.at.toISOString()}` },
    ...(m.firedAt && m.event === "resolved" ? [{ title: "Fired at", value: m.firedAt.toISOString() }] : []),
  ];
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", size: "Medium", weight: "Bolder", color, wrap: true, text: headline(m) },
            { type: "TextBlock", wrap: true, text: m.text },
            { type: "FactSet", facts },
          ],
          ...(m.link ? { actions: [{ type: "Action.OpenUrl", title: "Open the profile", url: m.link }] } : {}),
        },
      },
    ],
  };
}

/** Slack incoming webhook: `text` (notifications, fallback) plus Block Kit blocks. */
export function slackBody(m: AlertMessage) {
  const emoji = m.event === "fired" ? ":red_circle:" : m.event === "resolved" ? ":large_green_circle:" : ":information_source:";
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const context = [`Profile *${esc(m.profile.name)}*`, ...(tableOf(m) ? [`table \`${esc(tableOf(m))}\``] : []), `${m.kind}`, m.at.toISOString()];
  return {
    text: `${emoji} ${headline(m)}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `${emoji} *${esc(headline(m))}*\n${esc(m.text)}${m.link ? `\n<${m.link}|Open the profile>` : ""}` } },
      { type: "context", elements: [{ type: "mrkdwn", text: context.join(" · ") }] },
    ],
  };
}

export function webhookBody(format: WebhookFormat, m: AlertMessage): unknown {
  return format === "teams" ? teamsBody(m) : format === "slack" ? slackBody(m) : jsonBody(m);
}

export function emailContent(m: AlertMessage): { subject: string; text: string } {
  const lines = [
    headline(m),
    "",
    m.text,
    "",
    `Profile: ${m.profile.name}`,
    ...(tableOf(m) ? [`Table: ${tableOf(m)}`] : []),
    `Alert: ${m.kind}`,
    `At: ${m.at.toISOString()}`,
    ...(m.firedAt && m.event === "resolved" ? [`Fired at: ${m.firedAt.toISOString()}`] : []),
    ...(m.link ? [`Open the profile: ${m.link}`] : []),
    "",
    "— dataverse-export",
  ];
  return { subject: `${headline(m)}`.slice(0, 250), text: lines.join("\n") };
}
