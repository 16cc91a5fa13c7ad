import { z } from "zod";
import { ZRole } from "../users/schemas";

export const ZNewApiToken = z.object({
  name: z.string({ message: "Enter a name for the token." }).trim().min(1, "Enter a name for the token.").max(100, "A token name has at most 100 characters."),
  role: ZRole.default("viewer"),
});
export type TNewApiToken = z.infer<typeof ZNewApiToken>;

export const ZApiTokenId = z.string({ message: "Choose a token." }).uuid({ message: "Unknown token." });
