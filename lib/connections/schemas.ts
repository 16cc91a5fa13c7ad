import { z } from "zod";
import { ZConnectionString, ZDestinationType } from "../profiles/schemas";

export const ZConnectionId = z.string({ message: "Choose a connection." }).uuid({ message: "Unknown connection." });

export const ZConnectionName = z
  .string({ message: "Enter a display name." })
  .trim()
  .min(1, "Enter a display name.")
  .max(100, "A display name has at most 100 characters.");

// Forms send checkboxes as "on"/"true"; the API sends booleans.
const bool = (label: string) =>
  z.preprocess((v) => (v === "true" || v === "on" ? true : v === "false" || v === "off" || v === undefined || v === null || v === "" ? false : v), z.boolean({ message: `${label} must be true or false.` }));

export const AGREE_TERMS = "Agree to the data privacy and compliance terms to save this connection.";

export const ZNewConnection = z.object({
  name: ZConnectionName,
  destinationType: ZDestinationType,
  connectionString: ZConnectionString,
  /** "Admins only" (false) or "contributors too" (true). */
  sharedWithContributors: bool("Who may use it").default(false),
  agreeToTerms: bool("The agreement").refine((v) => v, AGREE_TERMS),
});
export type TNewConnection = z.infer<typeof ZNewConnection>;

/** Everything optional; an absent connection string keeps the stored secret (it is write-only). */
export const ZConnectionUpdate = z.preprocess(
  (v) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return v;
    const o = { ...(v as Record<string, unknown>) };
    if (o.connectionString === "" || o.connectionString === null) delete o.connectionString;
    return o;
  },
  z.object({
    name: ZConnectionName.optional(),
    connectionString: ZConnectionString.optional(),
    sharedWithContributors: bool("Who may use it").optional(),
    /** A new secret (possibly a new place) needs the agreement again. */
    agreeToTerms: bool("The agreement").optional(),
  }).strict(),
);
export type TConnectionUpdate = z.infer<typeof ZConnectionUpdate>;
