import { actionLabel } from "@/lib/audit/actions";
import type { AuditLogEntry } from "@/lib/audit/query";
import { formatUtc } from "../ui/time-text";
import { ScrollRegion } from "@/components/ui/scroll-region";

const show = (v: unknown) => (v === null || v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

/** Each changed field as "field: before → after" (a create has no before, a delete no after). */
function Changes({ before, after }: Pick<AuditLogEntry, "before" | "after">) {
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  if (fields.length === 0) return <span className="text-slate-500">—</span>;
  return (
    <ul className="space-y-0.5">
      {fields.map((f) => (
        <li key={f} className="break-words">
          <span className="font-medium">{f}</span>: {before ? <span className="text-slate-600">{show(before[f])}</span> : null}
          {before && after ? " → " : null}
          {after ? <span>{show(after[f])}</span> : null}
        </li>
      ))}
    </ul>
  );
}

// Every value is rendered as React text (escaped), never as HTML.
export function AuditTable({ entries }: { entries: AuditLogEntry[] }) {
  return (
    <ScrollRegion label="Audit log">
      <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
        <caption className="sr-only">Audit log, newest first</caption>
        <thead className="bg-slate-100 text-left text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2">Time (UTC)</th>
            <th scope="col" className="px-3 py-2">Who</th>
            <th scope="col" className="px-3 py-2">Action</th>
            <th scope="col" className="px-3 py-2">Object</th>
            <th scope="col" className="px-3 py-2">Changes</th>
            <th scope="col" className="px-3 py-2">Address</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} className="border-t border-slate-100 align-top" data-testid="audit-row">
              <td className="whitespace-nowrap px-3 py-2">{formatUtc(e.at)}</td>
              <td className="px-3 py-2">
                {e.actor}
                {e.actorKind !== "user" ? <span className="ml-1 text-xs text-slate-600">({e.actorKind})</span> : null}
              </td>
              <td className="px-3 py-2" title={e.action}>
                {actionLabel(e.action)}
                <span className="block font-mono text-xs text-slate-600">{e.action}</span>
              </td>
              <td className="px-3 py-2">
                <span className="text-xs text-slate-600">{e.objectType}</span> {e.objectLabel ?? e.objectId ?? ""}
              </td>
              <td className="max-w-xl px-3 py-2 text-xs">
                <Changes before={e.before} after={e.after} />
              </td>
              <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{e.ip ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
