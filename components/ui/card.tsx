import type { ReactNode } from "react";

export function Card({ title, children, actions, labelledBy }: { title?: string; children: ReactNode; actions?: ReactNode; labelledBy?: string }) {
  const headingId = labelledBy ?? (title ? `card-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}` : undefined);
  return (
    <section aria-labelledby={title ? headingId : undefined} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      {title || actions ? (
        <div className="flex flex-wrap items-center justify-between gap-3">
          {title ? (
            <h2 id={headingId} className="text-lg font-semibold">
              {title}
            </h2>
          ) : null}
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}
