"use client";

import type { OrganizationRelationship } from "@/lib/organizations/service";
import { Alert } from "../../ui/alert";

interface Props {
  relationships: OrganizationRelationship[] | undefined;
  loading: boolean;
  loadError: string | null;
  selected: string[];
  onChange: (selected: string[]) => void;
}

export function StepRelationships({ relationships, loading, loadError, selected, onChange }: Props) {
  if (loading) return <p className="text-sm text-slate-700" role="status">Reading the relationships among the chosen tables…</p>;
  if (loadError) return <Alert tone="error">{loadError}</Alert>;
  const list = relationships ?? [];
  if (list.length === 0) {
    return (
      <p className="text-sm text-slate-700">
        There is no N:N relationship among the chosen tables. Go on to validation, or go back and choose both tables of a relationship.
      </p>
    );
  }
  const chosen = new Set(selected);
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm text-slate-700">N:N relationships among the chosen tables. Each one becomes a table of pairs in the target (optional).</legend>
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
        {list.map((r) => {
          const id = `rel-${r.schemaName}`;
          return (
            <li key={r.schemaName} className="flex items-start gap-3 px-4 py-2">
              <input
                id={id}
                type="checkbox"
                checked={chosen.has(r.schemaName)}
                onChange={(e) => onChange(e.target.checked ? [...selected, r.schemaName] : selected.filter((s) => s !== r.schemaName))}
                className="mt-0.5 h-4 w-4 focus:ring-2 focus:ring-blue-500"
              />
              <label htmlFor={id} className="text-sm">
                <span className="font-mono font-medium">{r.schemaName}</span>
                <span className="block text-xs text-slate-600">
                  {r.entity1} ↔ {r.entity2} (intersect table {r.intersectEntity})
                </span>
              </label>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
