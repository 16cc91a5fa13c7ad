/** A labelled progress bar; an unknown total (the source could not count) shows the count alone. */
export function ProgressBar({ done, total, label }: { done: number; total: number | null; label: string }) {
  const known = total !== null && total > 0;
  const percent = known ? Math.min(100, Math.round((done / total) * 100)) : done > 0 ? 100 : 0;
  const text = known ? `${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} (${percent}%)` : `${done.toLocaleString("en-US")} records`;
  return (
    <div className="min-w-32 space-y-1">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={known ? total : undefined}
        aria-valuenow={known ? Math.min(done, total) : undefined}
        aria-valuetext={text}
        className="h-2 w-full overflow-hidden rounded bg-slate-200"
      >
        <div className={`h-full ${known ? "bg-blue-700" : "bg-blue-300"}`} style={{ width: `${percent}%` }} />
      </div>
      <p className="text-xs text-slate-600">{text}</p>
    </div>
  );
}
