"use client";

import { AUDIT_ACTIONS, AUDIT_OBJECT_TYPES } from "@/lib/audit/actions";
import { Button } from "../ui/button";
import { Field } from "../ui/field";
import { SelectField } from "../ui/select-field";
import { useFilterDraft } from "../ui/use-filter-draft";
import type { AuditFilters } from "./hooks/query-keys";

const FAMILIES = [...new Set(Object.keys(AUDIT_ACTIONS).map((a) => a.split(".")[0]))];

// A family ("profile": every profile action) or one action.
const ACTION_OPTIONS = [
  { value: "", label: "Any action" },
  ...FAMILIES.flatMap((f) => [
    { value: f, label: `All ${f} actions` },
    ...Object.entries(AUDIT_ACTIONS)
      .filter(([a]) => a.startsWith(`${f}.`))
      .map(([a, label]) => ({ value: a, label: `— ${label}` })),
  ]),
];

interface Props {
  value: AuditFilters;
  errors: Record<string, string>;
  onApply: (f: AuditFilters) => void;
}

export function AuditFiltersForm({ value, errors, onApply }: Props) {
  const { draft, set, submit, clear } = useFilterDraft(value, onApply);

  return (
    <form role="search" aria-label="Filter the audit log" onSubmit={submit} noValidate className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="grid gap-4 md:grid-cols-3">
        <Field label="Who (email or token name)" name="actor" type="search" value={draft.actor ?? ""} onChange={set("actor")} error={errors.actor} autoComplete="off" />
        <SelectField label="Action" name="action" value={draft.action ?? ""} onChange={set("action")} error={errors.action} options={ACTION_OPTIONS} />
        <SelectField
          label="Object type"
          name="objectType"
          value={draft.objectType ?? ""}
          onChange={set("objectType")}
          error={errors.objectType}
          options={[{ value: "", label: "Any object" }, ...AUDIT_OBJECT_TYPES.map((t) => ({ value: t, label: t }))]}
        />
        <Field label="Object (id or name)" name="object" type="search" value={draft.object ?? ""} onChange={set("object")} error={errors.object} autoComplete="off" />
        <Field label="From (UTC)" name="from" type="datetime-local" step={1} value={draft.from ?? ""} onChange={set("from")} error={errors.from} />
        <Field label="To (UTC)" name="to" type="datetime-local" step={1} value={draft.to ?? ""} onChange={set("to")} error={errors.to} />
      </div>
      <div className="flex gap-2">
        <Button type="submit">Apply filters</Button>
        <Button type="button" variant="secondary" onClick={clear}>
          Clear
        </Button>
      </div>
    </form>
  );
}
