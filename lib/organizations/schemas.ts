import { z } from "zod";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A Dataverse environment URL, kept as its origin (https://contoso.crm.dynamics.com). */
export const ZOrganizationUrl = z
  .string({ message: "Enter the environment URL." })
  .trim()
  .min(1, "Enter the environment URL.")
  .max(300, "The environment URL has at most 300 characters.")
  .refine((s) => URL.canParse(s), "Enter a full URL, like https://contoso.crm.dynamics.com.")
  .transform((s) => new URL(s))
  .refine((u) => u.protocol === "https:", "The environment URL must start with https://.")
  .transform((u) => u.origin);

/** For finding a registered organization: any http(s) URL of it (the local emulator is plain http). */
export const ZOrganizationLookupUrl = z
  .string({ message: "Give the organization's URL." })
  .trim()
  .min(1, "Give the organization's URL.")
  .max(300, "The organization URL has at most 300 characters.")
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), "Give the organization's full URL, like https://contoso.crm.dynamics.com.")
  .transform((s) => new URL(s).origin);

const guid = (what: string) =>
  z
    .string({ message: `Enter the ${what}.` })
    .trim()
    .min(1, `Enter the ${what}.`)
    .regex(GUID, `The ${what} is a GUID, like 00000000-0000-0000-0000-000000000000.`)
    .transform((s) => s.toLowerCase());

/**
 * The day the client secret expires, as the Azure portal shows it (Certificates & secrets →
 * Expires): YYYY-MM-DD, kept as midnight UTC. Empty or null clears it; absent (undefined) keeps it.
 */
export const ZSecretExpiry = z
  .union([
    z.literal("").transform(() => null),
    z.null(),
    z
      .string({ message: "Give the expiry date as YYYY-MM-DD." })
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "Give the expiry date as YYYY-MM-DD.")
      .transform((s, ctx) => {
        const d = new Date(`${s}T00:00:00.000Z`);
        // 2026-02-30 parses to March 2nd: require the same date back.
        if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) {
          ctx.addIssue({ code: "custom", message: "That date does not exist." });
          return z.NEVER;
        }
        if (s < "2000-01-01" || s > "2299-12-31") {
          ctx.addIssue({ code: "custom", message: "Give a date between 2000 and 2299." });
          return z.NEVER;
        }
        return d;
      }),
  ])
  .optional();

export const ZNewOrganization = z.object({
  name: z.string({ message: "Enter a name." }).trim().min(1, "Enter a name.").max(100, "A name has at most 100 characters."),
  url: ZOrganizationUrl,
  tenantId: guid("tenant id"),
  clientId: guid("client id"),
  clientSecret: z.string({ message: "Enter the client secret." }).min(1, "Enter the client secret.").max(1000, "The client secret has at most 1000 characters."),
  clientSecretExpiresAt: ZSecretExpiry,
});
export type TNewOrganization = z.infer<typeof ZNewOrganization>;

export const ZOrganizationId = z.string({ message: "Choose an organization." }).uuid({ message: "Unknown organization." });

/** The old product found an organization by its id or by its URL. */
export const ZOrganizationRef = z
  .object({ organizationId: ZOrganizationId.optional(), organizationUrl: ZOrganizationLookupUrl.optional() })
  .refine((r) => r.organizationId || r.organizationUrl, { message: "Give organizationId or organizationUrl.", path: ["organizationId"] });
export type TOrganizationRef = z.infer<typeof ZOrganizationRef>;

export const ZTableNames = z.array(z.string().regex(/^[a-z0-9_]+$/i, "Table names are logical names (letters, digits, _).")).max(1000);

/** An admin's changes to a registered organization; an empty client secret keeps the stored one. The URL stays. */
export const ZEditOrganization = z.object({
  id: ZOrganizationId,
  name: ZNewOrganization.shape.name,
  tenantId: guid("tenant id"),
  clientId: guid("client id"),
  clientSecret: z.string().max(1000, "The client secret has at most 1000 characters.").nullish().transform((s) => s || null),
  clientSecretExpiresAt: ZSecretExpiry,
});
export type TEditOrganization = z.infer<typeof ZEditOrganization>;
