import { Badge, type BadgeTone } from "../ui/badge";

const PROFILE_STATES: Record<string, { label: string; tone: BadgeTone }> = {
  draft: { label: "Draft", tone: "neutral" },
  activating: { label: "Activating", tone: "info" },
  active: { label: "Active", tone: "success" },
  inactive: { label: "Inactive", tone: "neutral" },
  failed: { label: "Failed", tone: "danger" },
};

/** "Active" while some initial export is still running reads "Active — initial sync". */
export function ProfileStateBadge({ state, initialProgress }: { state: string; initialProgress?: { done: number; total: number } | null }) {
  const known = PROFILE_STATES[state] ?? { label: state, tone: "neutral" as const };
  const initial = state === "active" && initialProgress && initialProgress.done < initialProgress.total;
  return (
    <Badge tone={initial ? "info" : known.tone} testId="profile-state">
      {initial ? "Active — initial sync" : known.label}
    </Badge>
  );
}

const INITIAL_STATES: Record<string, { label: string; tone: BadgeTone }> = {
  NotStarted: { label: "Not started", tone: "neutral" },
  InProgress: { label: "In progress", tone: "info" },
  Completed: { label: "Completed", tone: "success" },
  CompletedWithFailures: { label: "Completed with failures", tone: "warning" },
  Failed: { label: "Failed", tone: "danger" },
};

export function InitialSyncBadge({ state }: { state: string }) {
  const known = INITIAL_STATES[state] ?? { label: state, tone: "neutral" as const };
  return <Badge tone={known.tone}>{known.label}</Badge>;
}

const METADATA_STATES: Record<string, { label: string; tone: BadgeTone }> = {
  NotCreated: { label: "Not created", tone: "neutral" },
  Created: { label: "Created", tone: "success" },
  Failed: { label: "Failed", tone: "danger" },
};

export function MetadataBadge({ state }: { state: string }) {
  const known = METADATA_STATES[state] ?? { label: state, tone: "neutral" as const };
  return <Badge tone={known.tone}>{known.label}</Badge>;
}

export const PROFILE_STATE_OPTIONS = Object.entries(PROFILE_STATES).map(([value, s]) => ({ value, label: s.label }));
