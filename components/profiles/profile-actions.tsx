"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import type { ProfileDetail } from "@/lib/profiles/status";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import {
  useActivateProfile,
  useDeactivateProfile,
  useDeleteProfile,
  useResyncFailedRecords,
  useTestProfile,
} from "./hooks/use-profile-mutations";
import { ValidationChecks, type CheckView } from "./wizard/validation-checks";

type Message = { tone: "success" | "error" | "info"; text: string };

export function ProfileActions({ profile, isAdmin }: { profile: ProfileDetail; isAdmin: boolean }) {
  const router = useRouter();
  const activate = useActivateProfile();
  const deactivate = useDeactivateProfile();
  const resyncFailed = useResyncFailedRecords();
  const test = useTestProfile();
  const remove = useDeleteProfile();
  const [message, setMessage] = useState<Message | null>(null);
  const [report, setReport] = useState<{ ok: boolean; checks: CheckView[] } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const deleteButton = useRef<HTMLButtonElement>(null);

  function cancelDelete() {
    setConfirmDelete(false);
    // Back where the keyboard user was before the question.
    requestAnimationFrame(() => deleteButton.current?.focus());
  }
  const busy = activate.isPending || deactivate.isPending || resyncFailed.isPending || remove.isPending;
  const running = profile.metadataActive || profile.dataActive;

  async function run(result: Promise<{ ok: true } | { ok: false; error: string }>, done: string) {
    setMessage(null);
    const r = await result;
    setMessage(r.ok ? { tone: "success", text: done } : { tone: "error", text: r.error });
  }

  async function onTest() {
    setMessage(null);
    setReport(null);
    const r = await test.mutateAsync({ id: profile.id });
    if (r.ok) setReport(r.data);
    else setMessage({ tone: "error", text: r.error });
  }

  async function onDelete() {
    const r = await remove.mutateAsync({ id: profile.id });
    if (r.ok) router.push("/profiles");
    else {
      setConfirmDelete(false);
      setMessage({ tone: "error", text: r.error });
    }
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap gap-2">
        {isAdmin ? (
          <>
            <Button onClick={() => void run(activate.mutateAsync({ id: profile.id, what: "all" }), "Activation requested: the worker creates the tables, then exports the data.")} disabled={busy}>
              Activate
            </Button>
            <Button variant="secondary" onClick={() => void run(activate.mutateAsync({ id: profile.id, what: "metadata" }), "Metadata activation requested: the tables are created, no data is exported.")} disabled={busy}>
              Activate metadata only
            </Button>
            <Button variant="secondary" onClick={() => void run(activate.mutateAsync({ id: profile.id, what: "data" }), "Data activation requested.")} disabled={busy}>
              Activate data only
            </Button>
            <Button variant="secondary" onClick={() => void run(deactivate.mutateAsync({ id: profile.id }), "Deactivated: nothing more is exported. The target keeps its data.")} disabled={busy || !running}>
              Deactivate
            </Button>
          </>
        ) : null}
        <Button variant="secondary" onClick={() => void onTest()} disabled={test.isPending}>
          {test.isPending ? "Testing…" : "Test"}
        </Button>
        {isAdmin ? (
          <>
            <Button
              variant="secondary"
              onClick={() => void run(resyncFailed.mutateAsync({ id: profile.id }), "Re-sync of failed records requested: each is fetched again at the next cycle. The failure log keeps its entries.")}
              disabled={busy || profile.failedRecords === 0}
            >
              Re-sync failed records ({profile.failedRecords})
            </Button>
            <Link
              href={`/profiles/${profile.id}/edit`}
              className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-500 focus-visible:ring-offset-2"
            >
              Edit
            </Link>
            <Button ref={deleteButton} variant="danger" onClick={() => setConfirmDelete(true)} disabled={busy || confirmDelete}>
              Delete
            </Button>
          </>
        ) : null}
      </div>
      <div aria-live="polite" className="space-y-3">
        {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
        {report ? (
          <>
            <Alert tone={report.ok ? "success" : "error"}>
              <span data-testid="test-summary">
                {report.ok ? "Every check passed." : `${report.checks.filter((c) => !c.ok).length} of ${report.checks.length} checks failed.`}
              </span>
            </Alert>
            <ValidationChecks checks={report.checks} />
          </>
        ) : null}
      </div>
      {confirmDelete ? (
        <div
          role="alertdialog"
          aria-labelledby="delete-title"
          aria-describedby="delete-desc"
          onKeyDown={(e) => {
            if (e.key === "Escape" && !remove.isPending) cancelDelete();
          }}
          className="space-y-3 rounded-md border border-red-300 bg-red-50 p-4"
        >
          <h3 id="delete-title" className="font-semibold text-red-900">
            Delete {profile.name}?
          </h3>
          <p id="delete-desc" className="text-sm text-red-900">
            The profile stops and is removed from this portal with its status and failure log. The tables and data already in the target are
            not touched: drop them yourself if you no longer need them.
          </p>
          <div className="flex gap-2">
            <Button variant="danger" onClick={() => void onDelete()} disabled={remove.isPending} autoFocus>
              {remove.isPending ? "Deleting…" : "Delete profile"}
            </Button>
            <Button variant="secondary" onClick={cancelDelete} disabled={remove.isPending}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
