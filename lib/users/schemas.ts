import { z } from "zod";

// admin: everything. contributor: exports over connections shared with contributors, reads the
// rest. viewer: reads.
export const ROLES = ["admin", "contributor", "viewer"] as const;
export const ZRole = z.enum(ROLES, { message: "Role must be admin, contributor or viewer." });
export type TRole = z.infer<typeof ZRole>;

/** A stored role as one of ours; anything unknown is the least privileged. */
export function roleOf(stored: string): TRole {
  return stored === "admin" || stored === "contributor" ? stored : "viewer";
}

export const ZEmail = z
  .string({ message: "Enter an email address." })
  .trim()
  .min(1, "Enter an email address.")
  .max(254, "An email address has at most 254 characters.")
  // The HTML5 rule (what the browser checks too) also admits single-label hosts like admin@localhost.
  .pipe(z.email({ pattern: z.regexes.html5Email, message: "Enter a valid email address, like name@example.com." }))
  .transform((e) => e.toLowerCase());

export const ZPassword = z
  .string({ message: "Enter a password." })
  .min(1, "Enter a password.")
  .max(256, "A password has at most 256 characters.");

/** A new password must also be long enough; sign-in only checks the bounds. */
export const ZNewPassword = ZPassword.pipe(z.string().min(10, "Use at least 10 characters for a password."));

export const ZSignIn = z.object({ email: ZEmail, password: ZPassword });
export type TSignIn = z.infer<typeof ZSignIn>;

export const ZNewUser = z.object({
  email: ZEmail,
  name: z.string().trim().max(100, "A name has at most 100 characters.").optional().default(""),
  password: ZNewPassword,
  role: ZRole,
});
export type TNewUser = z.infer<typeof ZNewUser>;

export const ZUserId = z.string().uuid({ message: "Unknown user." });
export const ZSetRole = z.object({ id: ZUserId, role: ZRole });

const ENTRA_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A GUID, or empty (null) to unlink. */
const entraId = (what: string) =>
  z
    .string({ message: `Enter the ${what}.` })
    .nullish()
    .transform((s) => (s ?? "").trim().toLowerCase())
    .refine((s) => s === "" || ENTRA_GUID.test(s), `The ${what} is a GUID, like 00000000-0000-0000-0000-000000000000.`)
    .transform((s) => s || null);

/** Links a user to a Microsoft Entra ID identity (object id + tenant id); both empty: unlinks. */
export const ZSetEntraIdentity = z
  .object({ id: ZUserId, entraObjectId: entraId("object id"), entraTenantId: entraId("tenant id") })
  .refine((v) => (v.entraObjectId === null) === (v.entraTenantId === null), { message: "Give both the object id and the tenant id (or neither, to unlink).", path: ["entraTenantId"] })
  .transform((v) => ({ id: v.id, link: v.entraObjectId && v.entraTenantId ? { objectId: v.entraObjectId, tenantId: v.entraTenantId } : null }));
