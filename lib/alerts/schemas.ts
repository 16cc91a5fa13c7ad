// Alert rules and channels as forms, server actions and tests send them. One schema each,
// shared by the form, the action and the service (lib/alerts/service.ts).
import { z } from "zod";

export const ALERT_KINDS = ["lag", "failures", "profile-failed", "table-failed", "credentials", "credentials-expiry", "reconcile-differences"] as const;
export type TAlertKind = (typeof ALERT_KINDS)[number];

/** How each kind reads its threshold, for forms and messages. */
export const KIND_INFO: Record<TAlertKind, { label: string; threshold: string | null; defaultThreshold: number; min: number; max: number }> = {
  lag: { label: "Lag above N minutes", threshold: "minutes", defaultThreshold: 30, min: 1, max: 10_080 },
  failures: { label: "Failures above N per hour", threshold: "failures per hour", defaultThreshold: 10, min: 0, max: 10_000_000 },
  "profile-failed": { label: "Profile failed or stopped (no worker runs it for N minutes)", threshold: "minutes", defaultThreshold: 5, min: 1, max: 10_080 },
  "table-failed": { label: "A table failed", threshold: null, defaultThreshold: 0, min: 0, max: 0 },
  credentials: { label: "Credentials rejected (or expired)", threshold: null, defaultThreshold: 0, min: 0, max: 0 },
  // Needs the expiry date recorded on the organization (Edit organization).
  "credentials-expiry": { label: "Client secret expires within N days", threshold: "days", defaultThreshold: 14, min: 1, max: 730 },
  "reconcile-differences": { label: "Reconciliation found more than N differences", threshold: "differences", defaultThreshold: 0, min: 0, max: 1_000_000_000 },
};

const wholeNumber = (what: string) =>
  z.coerce.number({ message: `Give the ${what} as a whole number.` }).int(`Give the ${what} as a whole number.`);

export const ZAlertRuleInput = z
  .object({
    kind: z.enum(ALERT_KINDS, { message: "Choose what to alert on." }),
    threshold: z.union([wholeNumber("threshold"), z.literal("").transform(() => undefined)]).optional(),
  })
  .strict()
  .transform((r, ctx) => {
    const info = KIND_INFO[r.kind];
    const threshold = info.threshold === null ? 0 : (r.threshold ?? info.defaultThreshold);
    if (threshold < info.min || threshold > info.max) {
      ctx.addIssue({ code: "custom", path: ["threshold"], message: `Give between ${info.min} and ${info.max.toLocaleString("en-US")} ${info.threshold}.` });
      return z.NEVER;
    }
    return { kind: r.kind, threshold };
  });
export type TAlertRuleInput = z.infer<typeof ZAlertRuleInput>;

const name = z.string({ message: "Give the channel a name." }).trim().min(1, "Give the channel a name.").max(100, "At most 100 characters.");

// http(s) only: the worker posts to it, so no file:, data: or other schemes.
const webhookUrl = z
  .string({ message: "Give the webhook URL." })
  .trim()
  .min(1, "Give the webhook URL.")
  .max(2000, "At most 2,000 characters.")
  .refine((u) => {
    try {
      const p = new URL(u).protocol;
      return p === "https:" || p === "http:";
    } catch {
      return false;
    }
  }, "Give an http(s) URL, e.g. the incoming webhook URL from Teams or Slack.");

const email = z.string().trim().email("Give an email address.").max(254);

export const ZWebhookChannel = z
  .object({
    kind: z.literal("webhook"),
    name,
    url: webhookUrl,
    format: z.enum(["json", "teams", "slack"], { message: "Choose the body format: JSON, Microsoft Teams or Slack." }).default("json"),
  })
  .strict();

export const ZEmailChannel = z
  .object({
    kind: z.literal("email"),
    name,
    host: z.string({ message: "Give the SMTP server's host name." }).trim().min(1, "Give the SMTP server's host name.").max(253).regex(/^[A-Za-z0-9.:\-[\]]+$/, "Give a host name or IP address."),
    port: z.coerce.number({ message: "Give the SMTP port." }).int("Give the SMTP port.").min(1, "A port is 1 to 65535.").max(65535, "A port is 1 to 65535.").default(587),
    // "tls": TLS from the first byte (usually port 465); "starttls": upgrade required; "none": plain (tests, local relays).
    security: z.enum(["starttls", "tls", "none"], { message: "Choose STARTTLS, TLS or none." }).default("starttls"),
    user: z.string().trim().max(254).optional().transform((v) => v || undefined),
    password: z.string().max(1000).optional().transform((v) => v || undefined),
    from: email,
    to: z
      .union([z.array(email), z.string().transform((s) => s.split(/[,;\s]+/).filter(Boolean))])
      .pipe(z.array(email).min(1, "Give at least one recipient.").max(50, "At most 50 recipients.")),
  })
  .strict();

export const ZAlertChannelInput = z.discriminatedUnion("kind", [ZWebhookChannel, ZEmailChannel], { message: "Choose a webhook or email channel." });
export type TAlertChannelInput = z.infer<typeof ZAlertChannelInput>;
export type TWebhookChannel = z.infer<typeof ZWebhookChannel>;
export type TEmailChannel = z.infer<typeof ZEmailChannel>;

/**
 * A channel's changes: the same fields (its kind cannot change), but the secret — the webhook URL,
 * the SMTP password — is replaced only when given again; absent or empty keeps the stored one.
 */
export const ZAlertChannelUpdate = z.discriminatedUnion(
  "kind",
  [ZWebhookChannel.extend({ url: z.union([z.literal("").transform(() => undefined), webhookUrl]).optional() }), ZEmailChannel],
  { message: "Choose a webhook or email channel." },
);
export type TAlertChannelUpdate = z.infer<typeof ZAlertChannelUpdate>;

export const ZAlertObjectId = z.string({ message: "Unknown alert setting." }).uuid({ message: "Unknown alert setting." });
