"use client";

import { useState, type FormEvent } from "react";
import { toLocalInput, toUtcIso } from "./utc-datetime";

interface TimeRange {
  /** ISO instants (UTC); the form edits them as UTC wall times. */
  from?: string;
  to?: string;
}

/**
 * The draft of a log's filter form (failures, audit): edited freely, applied on submit, with the
 * time range shown and read as UTC. `kept` names what Clear leaves in place (the failure viewer
 * keeps its profile).
 */
export function useFilterDraft<F extends TimeRange>(value: F, onApply: (f: F) => void, kept: (draft: F) => Partial<F> = () => ({})) {
  const [draft, setDraft] = useState<F>(() => ({ ...value, from: toLocalInput(value.from), to: toLocalInput(value.to) }));
  const set = (k: keyof F) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    onApply({ ...draft, from: draft.from ? toUtcIso(draft.from) : undefined, to: draft.to ? toUtcIso(draft.to) : undefined });
  }

  function clear() {
    const keep = kept(draft);
    setDraft({ ...keep, from: "", to: "" } as F);
    onApply(keep as F);
  }

  return { draft, set, submit, clear };
}
