"use client";

import { Alert } from "../../ui/alert";
import { Button } from "../../ui/button";
import { ValidationChecks, type CheckView } from "./validation-checks";

interface Props {
  report: { ok: boolean; checks: CheckView[] } | null;
  running: boolean;
  error: string | null;
  onRun: () => void;
}

export function StepValidation({ report, running, error, onRun }: Props) {
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-700">
        Checks that the source is reachable, every table is change-tracked, the target is reachable and has the permissions the export
        needs, and that the names fit the target. Nothing is written.
      </p>
      <Button type="button" variant="secondary" onClick={onRun} disabled={running}>
        {running ? "Validating…" : report || error ? "Validate again" : "Validate"}
      </Button>
      <div aria-live="polite" className="space-y-3">
        {running ? <p className="text-sm text-slate-700">Running the checks…</p> : null}
        {!running && error ? <Alert tone="error">{error}</Alert> : null}
        {!running && report ? (
          <>
            <Alert tone={report.ok ? "success" : "error"}>
              <span data-testid="validation-summary">
                {report.ok
                  ? "All checks passed. Go on to the summary."
                  : `${report.checks.filter((c) => !c.ok).length} of ${report.checks.length} checks failed. Fix them (go back to change the profile), then validate again.`}
              </span>
            </Alert>
            <ValidationChecks checks={report.checks} />
          </>
        ) : null}
      </div>
    </div>
  );
}
