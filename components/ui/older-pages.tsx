"use client";

import { Button } from "./button";

/** The foot of a log read in keyset pages: ask for older entries, or say the oldest is shown. */
export function OlderPages({ hasNext, fetching, onMore, shown }: { hasNext: boolean; fetching: boolean; onMore: () => void; shown: number }) {
  if (hasNext) {
    return (
      <Button variant="secondary" onClick={onMore} disabled={fetching}>
        {fetching ? "Loading…" : "Show older entries"}
      </Button>
    );
  }
  return shown > 0 ? <p className="text-sm text-slate-600">That is the oldest entry.</p> : null;
}

export const DOWNLOAD_LINK_CLASS = "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50";
