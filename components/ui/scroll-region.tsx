import type { ReactNode } from "react";

/**
 * A wrapper that lets a wide table scroll sideways. It is focusable and labelled because a
 * keyboard user must be able to reach and scroll it (axe: scrollable-region-focusable).
 */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
