"use client";

import { useMemo, useState } from "react";
import type { OrganizationTable } from "@/lib/organizations/service";
import { Alert } from "../../ui/alert";
import { Button } from "../../ui/button";

type SortKey = "displayName" | "logicalName" | "approxRowCount";

interface Props {
  tables: OrganizationTable[] | undefined;
  loading: boolean;
  loadError: string | null;
  selected: string[];
  error?: string;
  onChange: (selected: string[]) => void;
}

function compare(a: OrganizationTable, b: OrganizationTable, key: SortKey): number {
  if (key === "approxRowCount") return (a.approxRowCount ?? -1) - (b.approxRowCount ?? -1);
  return a[key].localeCompare(b[key], "en", { sensitivity: "base" });
}

export function StepTables({ tables, loading, loadError, selected, error, onChange }: Props) {
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: "displayName", dir: 1 });
  const chosen = useMemo(() => new Set(selected), [selected]);

  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    const rows = (tables ?? []).filter((t) => !q || t.logicalName.toLowerCase().includes(q) || t.displayName.toLowerCase().includes(q));
    return rows.sort((a, b) => compare(a, b, sort.key) * sort.dir);
  }, [tables, search, sort]);

  if (loading) return <p className="text-sm text-slate-700" role="status">Reading the tables of the organization…</p>;
  if (loadError) return <Alert tone="error">{loadError}</Alert>;

  const selectable = shown.filter((t) => !t.notSelectableReason);
  const toggle = (name: string, on: boolean) => onChange(on ? [...selected, name] : selected.filter((s) => s !== name));
  const sortBy = (key: SortKey) => setSort((s) => ({ key, dir: s.key === key ? (s.dir === 1 ? -1 : 1) : 1 }));
  const ariaSort = (key: SortKey) => (sort.key === key ? (sort.dir === 1 ? "ascending" : "descending") : "none");
  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={ariaSort(key)} className="px-3 py-2">
      <button type="button" onClick={() => sortBy(key)} className="font-semibold underline-offset-2 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-500">
        {label}
        <span aria-hidden="true">{sort.key === key ? (sort.dir === 1 ? " ▲" : " ▼") : ""}</span>
      </button>
    </th>
  );

  return (
    <div className="space-y-4">
      {error ? <Alert tone="error">{error}</Alert> : null}
      <div className="flex flex-wrap items-end gap-3">
        <div className="space-y-1">
          <label htmlFor="table-search" className="block text-sm font-medium text-slate-700">
            Search tables
          </label>
          <input
            id="table-search"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            // Enter filters; it must not submit the surrounding wizard step.
            onKeyDown={(e) => {
              if (e.key === "Enter") e.preventDefault();
            }}
            placeholder="Name or logical name"
            className="block w-72 rounded-md border border-slate-300 px-3 py-2 text-sm focus:outline-none focus:ring-2 focus:ring-blue-500"
          />
        </div>
        <Button type="button" variant="secondary" onClick={() => onChange([...new Set([...selected, ...selectable.map((t) => t.logicalName)])])}>
          Select all{search ? " shown" : ""}
        </Button>
        <Button type="button" variant="secondary" onClick={() => onChange(search ? selected.filter((s) => !shown.some((t) => t.logicalName === s)) : [])}>
          Select none{search ? " of those shown" : ""}
        </Button>
        <p className="text-sm text-slate-700" aria-live="polite" data-testid="tables-selected">
          {selected.length} selected
        </p>
      </div>
      <div className="max-h-[28rem] overflow-auto rounded-lg border border-slate-200">
        <table className="w-full bg-white text-sm">
          <caption className="sr-only">Tables of the organization; tables without change tracking cannot be chosen</caption>
          <thead className="sticky top-0 bg-slate-100 text-left text-slate-700">
            <tr>
              <th scope="col" className="px-3 py-2">
                <span className="sr-only">Export</span>
              </th>
              {header("displayName", "Table")}
              {header("logicalName", "Logical name")}
              <th scope="col" className="px-3 py-2">Change tracking</th>
              {header("approxRowCount", "Rows (approx.)")}
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => {
              const id = `table-${t.logicalName}`;
              return (
                <tr key={t.logicalName} className={`border-t border-slate-100 ${t.notSelectableReason ? "bg-slate-50 text-slate-600" : ""}`} data-testid={`table-row-${t.logicalName}`}>
                  <td className="px-3 py-2">
                    <input
                      id={id}
                      type="checkbox"
                      checked={chosen.has(t.logicalName)}
                      disabled={!!t.notSelectableReason}
                      aria-describedby={t.notSelectableReason ? `${id}-reason` : undefined}
                      onChange={(e) => toggle(t.logicalName, e.target.checked)}
                      className="h-4 w-4 focus:ring-2 focus:ring-blue-500"
                    />
                  </td>
                  <td className="px-3 py-2">
                    <label htmlFor={id} className="font-medium">
                      {t.displayName}
                    </label>
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">{t.logicalName}</td>
                  <td className="px-3 py-2">
                    {t.changeTrackingEnabled ? "On" : "Off"}
                    {t.notSelectableReason ? (
                      <p id={`${id}-reason`} className="mt-1 text-xs text-slate-700" data-testid="not-selectable-reason">
                        {t.notSelectableReason}
                      </p>
                    ) : null}
                  </td>
                  <td className="px-3 py-2 tabular-nums">{t.approxRowCount === null ? "unknown" : t.approxRowCount.toLocaleString("en-US")}</td>
                </tr>
              );
            })}
            {shown.length === 0 ? (
              <tr>
                <td colSpan={5} className="px-3 py-4 text-center text-slate-600">
                  No table matches “{search}”.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </div>
  );
}
