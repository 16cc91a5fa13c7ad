"use client";

import { Button } from "../ui/button";
import { Field } from "../ui/field";
import { SelectField } from "../ui/select-field";
import { useFilterDraft } from "../ui/use-filter-draft";
import type { FailureFilters } from "./hooks/query-keys";

const CHANGE_TYPES = ["New", "Update", "Delete", "Trigger Initial Export"];

interface Props {
  profiles: { id: string; name: string }[];
  value: FailureFilters;
  errors: Record<string, string>;
  onApply: (f: FailureFilters) => void;
}

export function FailureFiltersForm({ profiles, value, errors, onApply }: Props) {
  const { draft, set, submit, clear } = useFilterDraft(value, onApply, (d) => ({ profileId: d.profileId }));

  return (
    <form role="search" aria-label="Filter the failure log" onSubmit={submit} noValidate className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="grid gap-4 md:grid-cols-3">
        <SelectField
          label="Profile"
          name="profileId"
          value={draft.profileId ?? ""}
          onChange={set("profileId")}
          error={errors.profileId}
          options={[{ value: "", label: "All profiles" }, ...profiles.map((p) => ({ value: p.id, label: p.name }))]}
        />
        <Field label="Table (logical name)" name="entity" value={draft.entity ?? ""} onChange={set("entity")} error={errors.entity} autoComplete="off" placeholder="account" />
        <SelectField
          label="Change type"
          name="changeType"
          value={draft.changeType ?? ""}
          onChange={set("changeType")}
          error={errors.changeType}
          options={[{ value: "", label: "Any change" }, ...CHANGE_TYPES.map((c) => ({ value: c, label: c }))]}
        />
        <Field label="From (UTC)" name="from" type="datetime-local" step={1} value={draft.from ?? ""} onChange={set("from")} error={errors.from} />
        <Field label="To (UTC)" name="to" type="datetime-local" step={1} value={draft.to ?? ""} onChange={set("to")} error={errors.to} />
        <Field label="Search record id or reason" name="search" type="search" value={draft.search ?? ""} onChange={set("search")} error={errors.search} autoComplete="off" />
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
