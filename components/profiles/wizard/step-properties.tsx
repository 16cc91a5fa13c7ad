"use client";

import Link from "next/link";
import { useState, type ChangeEvent } from "react";
import type { DraftProperties } from "@/lib/portal/profile-draft";
import type { OrganizationSummary } from "@/lib/organizations/service";
import { Alert } from "../../ui/alert";
import { Button } from "../../ui/button";
import { CheckboxField } from "../../ui/checkbox-field";
import { Field } from "../../ui/field";
import { SelectField } from "../../ui/select-field";
import { useTestTarget } from "../hooks/use-test-target";
import { organizationNameOf, proposedContainerName } from "@/lib/destinations/lake/container-name";
import type { ConnectionSummary } from "@/lib/connections/service";
import { RefreshFields } from "../refresh-fields";
import { ConnectionPicker } from "../connection-picker";

const TARGET_KINDS = [
  { value: "sqlite", label: "SQLite file" },
  { value: "postgres", label: "PostgreSQL" },
  { value: "mssql", label: "SQL Server / Azure SQL" },
  { value: "datalake", label: "Data lake (Synapse Link format)" },
] as const;

const PLACEHOLDERS: Record<string, string> = {
  sqlite: "sqlite:/path/to/export.db",
  postgres: "postgres://user:password@host:5432/database",
  mssql: "Server=tcp:host,1433;Initial Catalog=db;User ID=u;Password=p;Encrypt=True",
  datalake: "abfss://CONTAINER@ACCOUNT.dfs.core.windows.net;AccountKey=… or lake:/path/to/folder",
};

interface Props {
  value: DraftProperties;
  organizations: OrganizationSummary[];
  /** Named connections this user may use (name and type). */
  connections?: ConnectionSummary[];
  /** Contributors: only a connection, never a target of their own. */
  connectionsOnly?: boolean;
  errors: Record<string, string>;
  onChange: (patch: Partial<DraftProperties>) => void;
}

type TextKey = { [K in keyof DraftProperties]: DraftProperties[K] extends string ? (string extends DraftProperties[K] ? K : never) : never }[keyof DraftProperties];

export function StepProperties({ value, organizations, connections = [], connectionsOnly = false, errors, onChange }: Props) {
  // The props every free-text field of the draft takes.
  const text = (name: TextKey) => ({
    name,
    value: value[name],
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => onChange({ [name]: e.target.value }),
    error: errors[name],
  });
  const testTarget = useTestTarget();
  const [testResult, setTestResult] = useState<{ ok: boolean; message: string } | null>(null);
  const org = organizations.find((o) => o.id === value.organizationId);
  const lake = value.destinationType === "datalake";
  const container = proposedContainerName(org?.name ?? "environment", organizationNameOf(org?.url ?? ""));

  async function onTestTarget() {
    setTestResult(null);
    const result = await testTarget.mutateAsync({
      destinationType: value.destinationType,
      connectionString: value.targetSource === "connectionString" ? value.connectionString : undefined,
      keyVaultSecretUrl: value.targetSource === "keyVault" ? value.keyVaultSecretUrl : undefined,
      connectionId: value.targetSource === "connection" ? value.connectionId : undefined,
    });
    setTestResult(result.ok ? result.data : { ok: false, message: result.error });
  }

  return (
    <div className="space-y-6">
      <div className="grid gap-4 md:grid-cols-2">
        <Field
          label="Profile name"
          {...text("name")}
          hint="Unique, up to 100 characters."
          autoComplete="off"
        />
        <SelectField
          label="Organization"
          {...text("organizationId")}
          options={[{ value: "", label: "Choose an organization…" }, ...organizations.map((o) => ({ value: o.id, label: `${o.name} (${o.url})` }))]}
        />
      </div>
      {org && !org.privacyAcceptedAt ? (
        <Alert tone="error">
          The privacy terms of {org.name} are not accepted: no profile can be created for it.{" "}
          <Link href={`/organizations/${org.id}/privacy`} className="font-medium underline">
            Review and accept them
          </Link>
          .
        </Alert>
      ) : null}

      <fieldset className="space-y-4 rounded-md border border-slate-200 p-4">
        <legend className="px-1 text-sm font-semibold text-slate-800">Target database</legend>
        <div className="grid gap-4 md:grid-cols-2">
          <SelectField
            label="Target kind"
            name="destinationType"
            value={value.destinationType}
            onChange={(e) => onChange({ destinationType: e.target.value as DraftProperties["destinationType"] })}
            error={errors.destinationType}
            options={TARGET_KINDS}
            disabled={value.targetSource === "connection"}
            hint={value.targetSource === "connection" ? "The connection's kind." : undefined}
          />
          <SelectField
            label="Connection string comes from"
            name="targetSource"
            value={value.targetSource}
            onChange={(e) => {
              const targetSource = e.target.value as DraftProperties["targetSource"];
              const first = connections.find((c) => c.id === value.connectionId) ?? connections[0];
              onChange(targetSource === "connection" && first ? { targetSource, connectionId: first.id, destinationType: first.destinationType } : { targetSource });
            }}
            options={[
              ...(connections.length ? [{ value: "connection", label: "Use a connection" }] : []),
              ...(connectionsOnly
                ? []
                : [
                    { value: "connectionString", label: "Typed here (stored encrypted)" },
                    { value: "keyVault", label: "An Azure Key Vault secret" },
                  ]),
            ]}
          />
        </div>
        {value.targetSource === "connection" ? (
          <ConnectionPicker
            connections={connections}
            value={value.connectionId}
            error={errors.connectionId}
            onChange={(c, id) => onChange({ connectionId: id, ...(c ? { destinationType: c.destinationType } : {}) })}
          />
        ) : value.targetSource === "connectionString" ? (
          <Field
            label="Connection string"
            {...text("connectionString")}
            placeholder={PLACEHOLDERS[value.destinationType]}
            hint={
              value.destinationType === "sqlite"
                ? "sqlite: and the path of the database file on this server; it is created if missing."
                : lake
                  ? `Azure Storage: abfss://${container}@ACCOUNT.dfs.core.windows.net (Synapse Link's container name for this organization) with ;AccountKey=…, a SAS (https://ACCOUNT.blob.core.windows.net/${container}?sv=…), a storage connection string with ;Container=${container}, or nothing: the organization's app registration then needs Storage Blob Data Contributor. Or lake:/path for a folder on this server.`
                  : "Stored encrypted and never shown again. Passwords are not kept in the draft if you leave this page."
            }
            autoComplete="off"
            spellCheck={false}
          />
        ) : (
          <Field
            label="Key Vault secret URL"
            {...text("keyVaultSecretUrl")}
            placeholder="https://myvault.vault.azure.net/secrets/target-connection"
            hint="The secret holds the connection string; this server reads it with its Azure identity."
            autoComplete="off"
            spellCheck={false}
          />
        )}
        <div className="flex flex-wrap items-start gap-3">
          <Button type="button" variant="secondary" onClick={() => void onTestTarget()} disabled={testTarget.isPending}>
            {testTarget.isPending ? "Testing…" : "Test target connection"}
          </Button>
          <div className="min-w-0 flex-1" aria-live="polite">
            {testResult ? (
              <Alert tone={testResult.ok ? "success" : "error"}>
                <span data-testid="target-test-result">{testResult.message}</span>
              </Alert>
            ) : null}
          </div>
        </div>
      </fieldset>

      {lake ? (
        <fieldset className="space-y-4 rounded-md border border-slate-200 p-4">
          <legend className="px-1 text-sm font-semibold text-slate-800">Data lake</legend>
          <Field
            label="Database name (optional)"
            {...text("lakeDatabase")}
            hint="A lake database, as Customer Insights exports to Synapse: the files go under <container>/<name>/, and the portal offers a DuckDB database file and a Synapse serverless SQL script over them. Letters, digits and _, starting with a letter; CSV format only. Empty: files at the lake's root."
            autoComplete="off"
            spellCheck={false}
          />
          <div className="grid gap-4 md:grid-cols-2">
            <SelectField
              label="Mode"
              name="lakeMode"
              value={value.lakeMode}
              onChange={(e) => onChange({ lakeMode: e.target.value as DraftProperties["lakeMode"] })}
              error={errors.lakeMode}
              options={[
                { value: "appendOnly", label: "Append-only (every change a row; deletes as IsDelete=True)" },
                { value: "inPlace", label: "In place (partition files rewritten)" },
              ]}
            />
            <SelectField
              label="Partition files by createdon"
              name="lakePartition"
              value={value.lakePartition}
              onChange={(e) => onChange({ lakePartition: e.target.value as DraftProperties["lakePartition"] })}
              error={errors.lakePartition}
              options={[
                { value: "Year", label: "Year (2024.csv)" },
                { value: "Month", label: "Month (2024-05.csv)" },
              ]}
            />
            <Field label="Snapshot interval (minutes)" {...text("lakeSnapshotMinutes")} inputMode="numeric" hint="0–10080; a table is snapshotted only when it changed. Default 60." />
            <Field label="Snapshots kept per table" {...text("lakeSnapshotKeep")} inputMode="numeric" hint="1–1000, default 5. One model.json still names is never deleted." />
          </div>
          <CheckboxField
            label="Incremental update folders"
            name="lakeIncrementalFolders"
            checked={value.lakeIncrementalFolders}
            onChange={(e) => onChange({ lakeIncrementalFolders: e.target.checked })}
            hint="Each snapshot interval, a yyyy-MM-ddTHH.mm.ssZ folder with only the changed tables and its own model.json (written last); forces append-only, as Synapse Link does."
            error={errors.lakeIncrementalFolders}
          />
          <div className="grid gap-4 md:grid-cols-2">
            <SelectField
              label="Format"
              name="lakeFormat"
              value={value.lakeFormat}
              onChange={(e) => onChange({ lakeFormat: e.target.value as DraftProperties["lakeFormat"] })}
              error={errors.lakeFormat}
              options={[
                { value: "csv", label: "CSV + model.json (Synapse Link CSV mode)" },
                { value: "delta", label: "Delta Lake (deltalake/<table>_partitioned, no Spark needed)" },
              ]}
            />
            {value.lakeFormat === "delta" ? (
              <>
                <Field label="Compaction interval (minutes)" {...text("lakeDeltaCompactMinutes")} inputMode="numeric" hint="0–10080, default 60: small files of a partition are merged." />
                <Field label="Vacuum interval (minutes)" {...text("lakeDeltaVacuumMinutes")} inputMode="numeric" hint="0–43200, default 1440." />
                <Field label="Retention (hours)" {...text("lakeDeltaRetentionHours")} inputMode="numeric" hint="0–8760, default 168: removed files are kept this long, so time travel reaches this far back." />
              </>
            ) : null}
          </div>
          <RefreshFields value={value} errors={errors} onChange={onChange} />
        </fieldset>
      ) : null}

      <fieldset className="space-y-4 rounded-md border border-slate-200 p-4">
        <legend className="px-1 text-sm font-semibold text-slate-800">Names and retries</legend>
        <div className="grid gap-4 md:grid-cols-2">
          <Field
            label="Schema"
            {...text("schemaName")}
            hint="Letters and digits, default dbo."
            autoComplete="off"
          />
          <Field
            label="Table name prefix (optional)"
            {...text("prefix")}
            hint="Letters and digits, under 15 characters."
            autoComplete="off"
          />
          <Field
            label="Retry count"
            {...text("retryCount")}
            inputMode="numeric"
            hint="0–20 tries for a record the target refuses, default 12."
          />
          <Field
            label="Retry interval (seconds)"
            {...text("retryIntervalSeconds")}
            inputMode="numeric"
            hint="0–3600 seconds between tries, default 5."
          />
        </div>
        <CheckboxField
          label="Write a delete log"
          name="writeDeleteLog"
          checked={value.writeDeleteLog}
          onChange={(e) => onChange({ writeDeleteLog: e.target.checked })}
          hint="Records every deleted row (table, id, time) in a DeleteLog table in the target."
          error={errors.writeDeleteLog}
        />
      </fieldset>
    </div>
  );
}
