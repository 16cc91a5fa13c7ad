export interface CheckView {
  id: string;
  label: string;
  ok: boolean;
  detail: string;
  fix: string | null;
}

/** Each check with pass/fail in words (not colour alone) and, when failed, the exact fix. */
export function ValidationChecks({ checks }: { checks: readonly CheckView[] }) {
  return (
    <ul className="space-y-2" aria-label="Validation checks">
      {checks.map((c) => (
        <li
          key={c.id}
          data-testid={`check-${c.id}`}
          data-ok={c.ok ? "true" : "false"}
          className={`rounded-md border px-4 py-3 text-sm ${c.ok ? "border-green-200 bg-green-50" : "border-red-200 bg-red-50"}`}
        >
          <p className="font-medium">
            <span className={c.ok ? "text-green-800" : "text-red-800"}>{c.ok ? "✓ Passed" : "✗ Failed"}</span>
            <span className="text-slate-900"> — {c.label}</span>
          </p>
          {c.detail ? <p className="mt-1 text-slate-800">{c.detail}</p> : null}
          {!c.ok && c.fix ? (
            <div className="mt-2">
              <p className="text-xs font-semibold uppercase tracking-wide text-slate-700">How to fix</p>
              <pre className="mt-1 whitespace-pre-wrap break-words rounded bg-white p-2 font-mono text-xs text-slate-900" data-testid="check-fix">
                {c.fix}
              </pre>
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
