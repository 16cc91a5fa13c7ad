"use client";

import { Field } from "../ui/field";
import { SelectField } from "../ui/select-field";

export interface RefreshFieldValues {
  refreshMode: "continuous" | "hours" | "cron";
  refreshEveryHours: string;
  refreshCron: string;
}

/** How a data lake export refreshes (the wizard's properties step and the edit form share it). */
export function RefreshFields({ value, errors, onChange }: { value: RefreshFieldValues; errors: Record<string, string | undefined>; onChange: (patch: Partial<RefreshFieldValues>) => void }) {
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <SelectField
        label="Refresh"
        name="refreshMode"
        value={value.refreshMode}
        onChange={(e) => onChange({ refreshMode: e.target.value as RefreshFieldValues["refreshMode"] })}
        error={errors.refreshMode}
        hint="Continuous: changes follow within seconds (DES style). On a schedule: one run reads and writes the changes since the last one; nothing is read from Dataverse in between."
        options={[
          { value: "continuous", label: "Continuous (default)" },
          { value: "hours", label: "Every N hours" },
          { value: "cron", label: "Cron expression (UTC)" },
        ]}
      />
      {value.refreshMode === "hours" ? (
        <Field label="Hours between runs" name="refreshEveryHours" inputMode="numeric" value={value.refreshEveryHours} onChange={(e) => onChange({ refreshEveryHours: e.target.value })} error={errors.refreshEveryHours} hint="1–168 (Dataverse keeps changes 7 days)." />
      ) : value.refreshMode === "cron" ? (
        <Field label="Cron expression (UTC)" name="refreshCron" value={value.refreshCron} onChange={(e) => onChange({ refreshCron: e.target.value })} error={errors.refreshCron} hint='Five fields: minute hour day month weekday, e.g. "0 */6 * * *" or "30 2 * * 1-5".' autoComplete="off" spellCheck={false} />
      ) : null}
    </div>
  );
}

/** The fields a form sends for its refresh values (only those of the chosen mode). */
export function refreshInput(v: RefreshFieldValues): Record<string, string> {
  return {
    refreshMode: v.refreshMode,
    ...(v.refreshMode === "hours" ? { refreshEveryHours: v.refreshEveryHours } : {}),
    ...(v.refreshMode === "cron" ? { refreshCron: v.refreshCron } : {}),
  };
}
