import type { ProfileDraft } from "@/lib/portal/profile-draft";
import type { OrganizationSummary } from "@/lib/organizations/service";

const KINDS: Record<string, string> = { sqlite: "SQLite file", postgres: "PostgreSQL", mssql: "SQL Server / Azure SQL", datalake: "Data lake (Synapse Link format)" };

export function StepSummary({ draft, organization, connections = [] }: { draft: ProfileDraft; organization: OrganizationSummary | undefined; connections?: { id: string; name: string }[] }) {
  const p = draft.properties;
  const connection = connections.find((c) => c.id === p.connectionId);
  const rows: [string, string][] = [
    ["Name", p.name],
    ["Organization", organization ? `${organization.name} (${organization.url})` : p.organizationId],
    ["Target", `${KINDS[p.destinationType]} — ${p.targetSource === "connection" ? `the connection "${connection?.name ?? p.connectionId}"` : p.targetSource === "keyVault" ? `connection string from ${p.keyVaultSecretUrl}` : "connection string given (stored encrypted)"}`],
    ["Schema", p.schemaName || "dbo"],
    ["Prefix", p.prefix || "(none)"],
    ["Retries", `${p.retryCount} tries, ${p.retryIntervalSeconds} s apart`],
    ["Delete log", p.writeDeleteLog ? "written" : "not written"],
    ["Tables", `${draft.tables.length}: ${draft.tables.join(", ")}`],
    ["N:N relationships", draft.relationships.length ? `${draft.relationships.length}: ${draft.relationships.join(", ")}` : "none"],
  ];
  return (
    <div className="space-y-4">
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm md:grid-cols-[12rem_1fr]">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-medium text-slate-700">{k}</dt>
            <dd className="break-words text-slate-900">{v}</dd>
          </div>
        ))}
      </dl>
      <p className="text-sm text-slate-700">
        <strong>Create</strong> saves the profile without exporting anything. <strong>Create and activate</strong> also creates the tables in the
        target and starts the initial export; the profile page shows its progress.
      </p>
    </div>
  );
}
