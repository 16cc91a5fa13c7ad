"use client";

import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import {
  DRAFT_STORAGE_KEY,
  WIZARD_STEPS,
  emptyDraft,
  isBlankDraft,
  keepRelationships,
  parseDraft,
  serializeDraft,
  stepErrors,
  toProfileInput,
  type DraftProperties,
  type ProfileDraft,
  type WizardStep,
} from "@/lib/portal/profile-draft";
import type { OrganizationSummary } from "@/lib/organizations/service";
import { useOrganizationRelationships } from "../../organizations/hooks/use-organization-relationships";
import { useOrganizationTables } from "../../organizations/hooks/use-organization-tables";
import { useOrganizations } from "../../organizations/hooks/use-organizations";
import { Alert } from "../../ui/alert";
import { Button } from "../../ui/button";
import { useCreateProfile } from "../hooks/use-create-profile";
import { useValidateProfile } from "../hooks/use-validate-profile";
import { StepProperties } from "./step-properties";
import { StepRelationships } from "./step-relationships";
import { StepSummary } from "./step-summary";
import type { ConnectionSummary } from "@/lib/connections/service";
import { StepTables } from "./step-tables";
import { StepValidation } from "./step-validation";
import type { CheckView } from "./validation-checks";

interface Props {
  organizations: OrganizationSummary[];
  defaults: { organizationId?: string; connectionString: string; connection?: { id: string; destinationType: ConnectionSummary["destinationType"] } };
  /** Named connections this user may use; contributors get only these (connectionsOnly). */
  connections?: ConnectionSummary[];
  connectionsOnly?: boolean;
}

export function ProfileWizard({ organizations: initialOrganizations, defaults, connections = [], connectionsOnly = false }: Props) {
  const router = useRouter();
  const orgs = useOrganizations(initialOrganizations);
  const organizations = orgs.data ?? initialOrganizations;
  const [draft, setDraft] = useState<ProfileDraft>(() => emptyDraft(defaults));
  const [restored, setRestored] = useState<"pending" | "none" | "restored">("pending");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [report, setReport] = useState<{ ok: boolean; checks: CheckView[]; for: string } | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);

  const validate = useValidateProfile();
  const create = useCreateProfile();
  const tables = useOrganizationTables(draft.properties.organizationId || null);
  const relationships = useOrganizationRelationships(draft.step >= 2 ? draft.properties.organizationId || null : null, draft.tables);

  // The draft is read after mounting: the server cannot see sessionStorage.
  useEffect(() => {
    const stored = parseDraft(window.sessionStorage.getItem(DRAFT_STORAGE_KEY));
    if (stored && !isBlankDraft(stored)) {
      const properties = { ...stored.properties, organizationId: stored.properties.organizationId || defaults.organizationId || "" };
      // A contributor's draft always names a connection (never a target of their own).
      if (connectionsOnly && properties.targetSource !== "connection") Object.assign(properties, { targetSource: "connection", connectionId: defaults.connection?.id ?? "", destinationType: defaults.connection?.destinationType ?? properties.destinationType });
      setDraft({ ...stored, properties });
      setRestored("restored");
    } else setRestored("none");
  }, [defaults.organizationId, defaults.connection, connectionsOnly]);

  useEffect(() => {
    if (restored === "pending") return;
    if (isBlankDraft(draft)) window.sessionStorage.removeItem(DRAFT_STORAGE_KEY);
    else window.sessionStorage.setItem(DRAFT_STORAGE_KEY, serializeDraft(draft));
  }, [draft, restored]);

  // Focus follows the step, so keyboard and screen-reader users land on the new step's heading.
  useEffect(() => {
    if (moved.current) headingRef.current?.focus();
  }, [draft.step]);

  // A table dropped on the way back drops its relationships too.
  useEffect(() => {
    if (!relationships.data) return;
    const kept = keepRelationships(draft, relationships.data);
    if (kept.length !== draft.relationships.length) setDraft((d) => ({ ...d, relationships: kept }));
  }, [relationships.data, draft]);

  const inputKey = useMemo(() => JSON.stringify(toProfileInput(draft)), [draft]);
  const currentReport = report && report.for === inputKey ? report : null;
  const organization = organizations.find((o) => o.id === draft.properties.organizationId);

  function goTo(step: WizardStep) {
    moved.current = true;
    setMessage(null);
    setDraft((d) => ({ ...d, step }));
  }

  function setProperties(patch: Partial<DraftProperties>) {
    setDraft((d) => {
      const orgChanged = patch.organizationId !== undefined && patch.organizationId !== d.properties.organizationId;
      // Another organization has other tables: the choice made for the first one does not carry over.
      return { ...d, properties: { ...d.properties, ...patch }, ...(orgChanged ? { tables: [], relationships: [] } : {}) };
    });
    setErrors((e) => {
      const next = { ...e };
      for (const k of Object.keys(patch)) delete next[k];
      return next;
    });
  }

  async function runValidation() {
    const key = inputKey;
    setMessage(null);
    const result = await validate.mutateAsync(toProfileInput(draft));
    if (result.ok) setReport({ ...result.data, for: key });
    else {
      setReport(null);
      setMessage(result.error);
      if (result.fieldErrors && Object.keys(result.fieldErrors).some((k) => k in draft.properties)) {
        setErrors(result.fieldErrors);
        goTo(0);
      }
    }
  }

  function next() {
    const found = stepErrors(draft, draft.step);
    setErrors(found);
    if (Object.keys(found).length) {
      setMessage(draft.step === 0 ? "Fix the fields marked below to go on." : Object.values(found)[0]);
      return;
    }
    if (draft.step === 0 && organization && !organization.privacyAcceptedAt) {
      setMessage(`Accept the privacy terms of ${organization.name} first.`);
      return;
    }
    if (draft.step === 3 && !currentReport?.ok) {
      setMessage(currentReport ? "Some checks failed: fix them and validate again." : "Validate the profile first.");
      return;
    }
    const step = (draft.step + 1) as WizardStep;
    goTo(step);
    if (step === 3 && !currentReport) void runValidation();
  }

  async function submit(activate: boolean) {
    setMessage(null);
    const result = await create.mutateAsync({ input: toProfileInput(draft), activate });
    if (result.ok) {
      window.sessionStorage.removeItem(DRAFT_STORAGE_KEY);
      router.push(`/profiles/${result.data.id}`);
      return;
    }
    setMessage(result.error);
    if (result.fieldErrors && Object.keys(result.fieldErrors).some((k) => k in draft.properties)) {
      setErrors(result.fieldErrors);
      goTo(0);
      setMessage(result.error);
    }
  }

  function discard() {
    window.sessionStorage.removeItem(DRAFT_STORAGE_KEY);
    setDraft(emptyDraft(defaults));
    setErrors({});
    setReport(null);
    setRestored("none");
    goTo(0);
  }

  const step = draft.step;
  return (
    <div className="space-y-6">
      <ol className="flex flex-wrap gap-2 text-sm" aria-label="Wizard steps">
        {WIZARD_STEPS.map((label, i) => (
          <li
            key={label}
            aria-current={i === step ? "step" : undefined}
            className={`rounded-full px-3 py-1 ${i === step ? "bg-blue-700 font-semibold text-white" : i < step ? "bg-blue-100 text-blue-900" : "bg-slate-100 text-slate-700"}`}
          >
            {i + 1}. {label}
            {i < step ? <span className="sr-only"> (done)</span> : null}
          </li>
        ))}
      </ol>
      {restored === "restored" ? (
        <Alert tone="info">
          Your unfinished profile was kept.{" "}
          <button type="button" onClick={discard} className="font-medium underline">
            Start over
          </button>
        </Alert>
      ) : null}
      <form
        noValidate
        aria-labelledby="wizard-step-heading"
        className="space-y-6 rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
        onSubmit={(e) => {
          e.preventDefault();
          if (step < 4) next();
        }}
      >
        <h2 id="wizard-step-heading" ref={headingRef} tabIndex={-1} className="text-lg font-semibold focus:outline-none">
          Step {step + 1} of {WIZARD_STEPS.length}: {WIZARD_STEPS[step]}
        </h2>
        {message ? <Alert tone="error">{message}</Alert> : null}
        {step === 0 ? <StepProperties value={draft.properties} organizations={organizations} connections={connections} connectionsOnly={connectionsOnly} errors={errors} onChange={setProperties} /> : null}
        {step === 1 ? (
          <StepTables
            tables={tables.data}
            loading={tables.isLoading}
            loadError={tables.error ? tables.error.message : null}
            selected={draft.tables}
            onChange={(t) => {
              setDraft((d) => ({ ...d, tables: t }));
              setErrors({});
              setMessage(null);
            }}
          />
        ) : null}
        {step === 2 ? (
          <StepRelationships
            relationships={relationships.data}
            loading={relationships.isLoading}
            loadError={relationships.error ? relationships.error.message : null}
            selected={draft.relationships}
            onChange={(r) => setDraft((d) => ({ ...d, relationships: r }))}
          />
        ) : null}
        {step === 3 ? (
          <StepValidation report={currentReport} running={validate.isPending} error={null} onRun={() => void runValidation()} />
        ) : null}
        {step === 4 ? <StepSummary draft={draft} organization={organization} connections={connections} /> : null}

        <div className="flex flex-wrap justify-between gap-3 border-t border-slate-100 pt-4">
          <Button type="button" variant="secondary" onClick={() => goTo((step - 1) as WizardStep)} disabled={step === 0}>
            Back
          </Button>
          {step < 4 ? (
            <Button type="submit" disabled={step === 3 && validate.isPending}>
              Next
            </Button>
          ) : (
            <div className="flex flex-wrap gap-3">
              <Button type="button" variant="secondary" onClick={() => void submit(false)} disabled={create.isPending}>
                Create
              </Button>
              <Button type="button" onClick={() => void submit(true)} disabled={create.isPending}>
                {create.isPending ? "Creating…" : "Create and activate"}
              </Button>
            </div>
          )}
        </div>
      </form>
    </div>
  );
}
