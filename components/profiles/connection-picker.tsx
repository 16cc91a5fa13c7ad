"use client";

import { TARGET_TYPE_LABELS } from "@/lib/connections/labels";
import type { ConnectionSummary } from "@/lib/connections/service";
import { SelectField } from "../ui/select-field";

type Choice = Pick<ConnectionSummary, "id" | "name" | "destinationType">;

/** Choose one of the named connections this user may use (the wizard and the edit form). */
export function ConnectionPicker({ connections, value, error, onChange, emptyLabel = "Choose a connection…", hint = "Defined by an admin on the Connections page; its secret stays there." }: {
  connections: Choice[];
  value: string;
  error?: string;
  onChange: (connection: Choice | null, id: string) => void;
  emptyLabel?: string;
  hint?: string;
}) {
  return (
    <SelectField
      label="Connection"
      name="connectionId"
      value={value}
      onChange={(e) => onChange(connections.find((x) => x.id === e.target.value) ?? null, e.target.value)}
      error={error}
      hint={hint}
      options={[{ value: "", label: emptyLabel }, ...connections.map((c) => ({ value: c.id, label: `${c.name} (${TARGET_TYPE_LABELS[c.destinationType]})` }))]}
    />
  );
}
