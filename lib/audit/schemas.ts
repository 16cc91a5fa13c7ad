import { z } from "zod";
import { ZDateParam, ZIdCursor } from "../validation";
import { AUDIT_OBJECT_TYPES } from "./actions";

const text = (label: string, max: number) =>
  z.string().trim().max(max, `${label} has at most ${max} characters.`).optional().transform((s) => s || undefined);

export const ZAuditFilters = z.object({
  /** Part of the actor's email, token name or "cli:…". */
  actor: text("Who", 254),
  /** One action (profile.activate) or a family (profile). */
  action: z
    .string()
    .trim()
    .regex(/^[a-z_]*(\.[a-z_]+)?$/, "Choose an action from the list.")
    .optional()
    .transform((s) => s || undefined),
  objectType: z.enum(AUDIT_OBJECT_TYPES, { message: `Object type must be one of ${AUDIT_OBJECT_TYPES.join(", ")}.` }).optional(),
  /** The object's id, or part of its name. */
  object: text("Object", 200),
  from: ZDateParam.optional(),
  to: ZDateParam.optional(),
});
export type TAuditFilters = z.infer<typeof ZAuditFilters>;

export const ZAuditQuery = ZAuditFilters.extend({
  cursor: ZIdCursor.optional(),
  limit: z.coerce.number({ message: "Limit must be a whole number from 1 to 200." }).int("Limit must be a whole number from 1 to 200.").min(1, "Limit must be a whole number from 1 to 200.").max(200, "Limit must be a whole number from 1 to 200.").default(50),
});
