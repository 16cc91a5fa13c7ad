// The emulator's demo organization, registered by `npm start` whenever the emulator runs so the
// portal always has an organization to work with. Privacy terms stay for an admin to accept.
import type { Db } from "../db";
import { encryptSecret } from "../secrets";

export const DEMO_ORGANIZATION_NAME = "Contoso (demo)";

export async function ensureDemoOrganization(db: Db, demo: { url: string; token: string; orgId?: string }): Promise<string> {
  const data = { name: DEMO_ORGANIZATION_NAME, url: demo.url, isDemo: true, staticTokenEnc: encryptSecret(demo.token), dataverseOrgId: demo.orgId ?? null };
  const org = await db.organization.upsert({
    where: { url: demo.url },
    // The token is re-encrypted in case the emulator's token or the encryption key changed.
    update: { staticTokenEnc: data.staticTokenEnc, ...(demo.orgId ? { dataverseOrgId: demo.orgId } : {}) },
    create: data,
    select: { id: true },
  });
  return org.id;
}
