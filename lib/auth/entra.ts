/** Entra ID sign-in is on when all three are configured. */
export function entraConfig(): { clientId: string; clientSecret: string; tenantId: string } | null {
  const clientId = process.env.AZURE_AD_CLIENT_ID;
  const clientSecret = process.env.AZURE_AD_CLIENT_SECRET;
  const tenantId = process.env.AZURE_AD_TENANT_ID;
  return clientId && clientSecret && tenantId ? { clientId, clientSecret, tenantId } : null;
}
