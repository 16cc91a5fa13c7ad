// Seeds a registered (non-demo) organization straight into the store, with a client secret that
// cannot be decrypted — as after a store copied without its key, or a key changed by hand.
import crypto from "node:crypto";
import { unique } from "./env";
import { writeStore } from "./store";

export const UNREADABLE_SECRET = "v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA";

// How Prisma's SQLite adapter stores a DateTime.
const now = () => new Date().toISOString().replace("Z", "+00:00");

export function seedOrganizationWithUnreadableSecret(): { id: string; name: string } {
  const id = crypto.randomUUID();
  const host = unique("unreadable").toLowerCase();
  const name = unique("Unreadable ");
  writeStore(
    `INSERT INTO "Organization" (id, name, url, tenantId, clientId, clientSecretEnc, isDemo, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    id, name, `https://${host}.crm4.dynamics.com`, "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    UNREADABLE_SECRET, now(), now(),
  );
  return { id, name };
}
