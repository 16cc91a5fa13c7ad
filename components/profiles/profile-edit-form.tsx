"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ConnectionSummary } from "@/lib/connections/service";
import type { ProfileDetail } from "@/lib/profiles/status";
import { useOrganizationRelationships } from "../organizations/hooks/use-organization-relationships";
import { useOrganizationTables } from "../organizations/hooks/use-organization-tables";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Card } from "../ui/card";
import { CheckboxField } from "../ui/checkbox-field";
import { Field } from "../ui/field";
import { useUpdateProfile } from "./hooks/use-profile-mutations";
import { StepRelationships } from "./wizard/step-relationships";
import { StepTables } from "./wizard/step-tables";
import { ConnectionPicker } from "./connection-picker";
import { RefreshFields, refreshInput, type RefreshFieldValues } from "./refresh-fields";

type ConnectionChoice = Pick<ConnectionSummary, "id" | "name" | "destinationType">;

/** Properties, tables and relationships of a saved profile. A blank connection string keeps the stored one. */
export function ProfileEditForm({ profile, connections = [] }: { profile: ProfileDetail; connections?: ConnectionChoice[] }) {
  const router = useRouter();
  const update = useUpdateProfile();
  const [values, setValues] = useState({
    name: profile.name,
    connectionString: "",
    schemaName: profile.schemaName,
    prefix: profile.prefix,
    retryCount: String(profile.retryCount),
    retryIntervalSeconds: String(profile.retryIntervalSeconds),
    writeDeleteLog: profile.writeDeleteLog,
    connectionId: profile.connection?.id ?? "",
  });
  const [refresh, setRefresh] = useState<RefreshFieldValues>({
    refreshMode: profile.refresh?.mode ?? "continuous",
    refreshEveryHours: String(profile.refresh?.everyHours ?? 24),
    refreshCron: profile.refresh?.cron ?? "0 2 * * *",
  });
  const [destinationType, setDestinationType] = useState<string>(profile.destinationType);
  const [tables, setTables] = useState(profile.tableNames.filter((n) => profile.tables.some((t) => t.logicalName === n && t.kind === "entity")));
  const [relationships, setRelationships] = useState(profile.relationshipNames);
  // Lake targets only. A database once named can be renamed (a new database) but not removed.
  const currentDatabase = profile.lake?.database?.name || "";
  const [lakeDatabase, setLakeDatabase] = useState(currentDatabase);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const sourceTables = useOrganizationTables(profile.organizationId);
  const sourceRelationships = useOrganizationRelationships(profile.organizationId, tables);
  const exported = profile.tables.some((t) => t.metadataState === "Created");
  const set = (k: keyof typeof values) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [k]: e.target.value }));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setMessage(null);
    const available = sourceRelationships.data;
    const keptRelationships = available ? relationships.filter((r) => available.some((a) => a.schemaName === r)) : relationships;
    const result = await update.mutateAsync({
      id: profile.id,
      changes: {
        ...values,
        connectionString: values.connectionString || undefined,
        // Only a connection other than the current one is a change (empty: keep the target as it is).
        connectionId: values.connectionId && values.connectionId !== profile.connection?.id ? values.connectionId : undefined,
        ...(destinationType === "datalake" ? refreshInput(refresh) : {}),
        tables,
        relationships: keptRelationships,
        ...(profile.lake && (lakeDatabase.trim() || currentDatabase) ? { lakeDatabase } : {}),
      },
    });
    if (result.ok) {
      router.push(`/profiles/${profile.id}`);
      return;
    }
    setErrors(result.fieldErrors ?? {});
    setMessage(result.error);
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Edit ${profile.name}`} className="space-y-6">
      {message ? <Alert tone="error">{message}</Alert> : null}
      <Card title="Properties">
        {exported ? <p className="text-sm text-slate-700">Tables exist in the target, so the schema and prefix stay as they are (create a new profile to change them).</p> : null}
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Profile name" name="name" value={values.name} onChange={set("name")} error={errors.name} autoComplete="off" />
          <Field
            label="New connection string (optional)"
            name="connectionString"
            value={values.connectionString}
            onChange={set("connectionString")}
            error={errors.connectionString}
            hint={profile.keyVaultSecretUrl ? `Now read from ${profile.keyVaultSecretUrl}.` : "Leave empty to keep the stored one (it is never shown)."}
            autoComplete="off"
            spellCheck={false}
          />
          {connections.length ? (
            <ConnectionPicker
              connections={connections}
              value={values.connectionId}
              error={errors.connectionId}
              emptyLabel={profile.connection ? "Choose a connection…" : "Keep this profile's own target"}
              hint={profile.connection ? `Now: ${profile.connection.name}. Another connection of the same type may be chosen once tables exist.` : "Export over a named connection from now on (its secret stays on the Connections page)."}
              onChange={(c, id) => {
                setValues((v) => ({ ...v, connectionId: id }));
                setDestinationType(c?.destinationType ?? profile.destinationType);
              }}
            />
          ) : null}
          <Field label="Schema" name="schemaName" value={values.schemaName} onChange={set("schemaName")} error={errors.schemaName} readOnly={exported} />
          <Field label="Table name prefix" name="prefix" value={values.prefix} onChange={set("prefix")} error={errors.prefix} readOnly={exported} />
          <Field label="Retry count" name="retryCount" inputMode="numeric" value={values.retryCount} onChange={set("retryCount")} error={errors.retryCount} hint="0–20" />
          <Field
            label="Retry interval (seconds)"
            name="retryIntervalSeconds"
            inputMode="numeric"
            value={values.retryIntervalSeconds}
            onChange={set("retryIntervalSeconds")}
            error={errors.retryIntervalSeconds}
            hint="0–3600"
          />
        </div>
        <CheckboxField
          label="Write a delete log"
          name="writeDeleteLog"
          checked={values.writeDeleteLog}
          onChange={(e) => setValues((v) => ({ ...v, writeDeleteLog: e.target.checked }))}
        />
        {profile.lake ? (
          <Field
            label={currentDatabase ? "Lake database name" : "Lake database name (optional)"}
            name="lakeDatabase"
            value={lakeDatabase}
            onChange={(e) => setLakeDatabase(e.target.value)}
            error={errors.lakeDatabase}
            hint={
              currentDatabase
                ? `A new name starts a new database (everything exported again under <container>/<new name>/); ${currentDatabase} stops updating and stays listed as a previous database.`
                : "Files then go under <container>/<name>/ with a DuckDB database file and a Synapse script over them (CSV format only). Letters, digits and _, starting with a letter."
            }
            autoComplete="off"
            spellCheck={false}
          />
        ) : null}
      </Card>
      {destinationType === "datalake" ? (
        <Card title="Refresh">
          <RefreshFields value={refresh} errors={errors} onChange={(patch) => setRefresh((r) => ({ ...r, ...patch }))} />
        </Card>
      ) : null}
      <Card title="Tables">
        <p className="text-sm text-slate-700">
          A table you leave out stops syncing; its data stays in the target, and it resumes where it stopped if you add it back.
          {currentDatabase ? " In the lake database its view stays, marked no longer updated." : ""}
        </p>
        <StepTables
          tables={sourceTables.data}
          loading={sourceTables.isLoading}
          loadError={sourceTables.error ? sourceTables.error.message : null}
          selected={tables}
          error={errors.tables}
          onChange={setTables}
        />
      </Card>
      <Card title="N:N relationships">
        <StepRelationships
          relationships={sourceRelationships.data}
          loading={sourceRelationships.isLoading}
          loadError={sourceRelationships.error ? sourceRelationships.error.message : null}
          selected={relationships}
          onChange={setRelationships}
        />
      </Card>
      <div className="flex gap-3">
        <Button type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save changes"}
        </Button>
        <Button type="button" variant="secondary" onClick={() => router.push(`/profiles/${profile.id}`)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
