// Synapse Link's container name, dataverse-<environment>-<organization>, for the wizard to propose
// (no Node imports: the browser bundle uses it).

export function proposedContainerName(environment: string, organization: string): string {
  const part = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return `dataverse-${part(environment)}-${part(organization)}`.replace(/-+/g, "-").slice(0, 63).replace(/-+$/, "");
}

/** The organization's unique name as its URL shows it (contoso in https://contoso.crm.dynamics.com). */
export function organizationNameOf(url: string): string {
  try {
    return new URL(url).hostname.split(".")[0] || "org";
  } catch {
    return "org";
  }
}
