"use client";

import Link from "next/link";
import { useState } from "react";
import type { OrganizationSummary } from "@/lib/organizations/service";
import { Alert } from "../ui/alert";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { formatUtc } from "../ui/time-text";
import { useTestOrganizationConnection } from "./hooks/use-organization-mutations";

type TestResult = { ok: boolean; message: string };

export function OrganizationsTable({ organizations, isAdmin }: { organizations: OrganizationSummary[]; isAdmin: boolean }) {
  const test = useTestOrganizationConnection();
  const [results, setResults] = useState<Record<string, TestResult>>({});
  const [testing, setTesting] = useState<string | null>(null);

  async function runTest(org: OrganizationSummary) {
    setTesting(org.id);
    try {
      const result = await test.mutateAsync(org.id);
      setResults((r) => ({ ...r, [org.id]: result.ok ? result.data : { ok: false, message: result.error } }));
    } finally {
      setTesting(null);
    }
  }

  return (
    <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
      <caption className="sr-only">Organizations</caption>
      <thead className="bg-slate-100 text-left text-slate-700">
        <tr>
          <th scope="col" className="px-4 py-2">Name</th>
          <th scope="col" className="px-4 py-2">Environment</th>
          <th scope="col" className="px-4 py-2">Privacy terms</th>
          <th scope="col" className="px-4 py-2">Profiles</th>
          <th scope="col" className="px-4 py-2">Connection</th>
        </tr>
      </thead>
      <tbody>
        {organizations.map((o) => {
          const result = results[o.id];
          return (
            <tr key={o.id} className="border-t border-slate-100 align-top" data-testid={`org-row-${o.name}`}>
              <td className="px-4 py-2 font-medium">
                {o.name}
                {o.isDemo ? (
                  <span className="ml-2">
                    <Badge tone="warning">demo</Badge>
                  </span>
                ) : null}
              </td>
              <td className="px-4 py-2">
                <div className="font-mono text-xs">{o.url}</div>
                <div className="text-xs text-slate-600">
                  {o.authKind === "token" ? "Signed in with a fixed token (emulator)" : `Tenant ${o.tenantId} · client ${o.clientId}`}
                </div>
                {!o.secretReadable ? (
                  <div className="mt-1">
                    <Badge tone="danger">Client secret unreadable</Badge>
                  </div>
                ) : null}
                {o.authKind !== "token" && isAdmin ? (
                  <Link href={`/organizations/${o.id}/edit`} className="mt-1 block text-xs font-medium text-blue-800 underline">
                    {o.secretReadable ? "Edit" : "Edit: enter the client secret again"}
                    <span className="sr-only"> {o.name}</span>
                  </Link>
                ) : null}
              </td>
              <td className="px-4 py-2">
                {o.privacyAcceptedAt ? (
                  <div className="space-y-1">
                    <Badge tone="success">Accepted</Badge>
                    <div className="text-xs text-slate-600">
                      by {o.privacyAcceptedBy ?? "unknown"}, {formatUtc(o.privacyAcceptedAt)}
                    </div>
                  </div>
                ) : (
                  <div className="space-y-1">
                    <Badge tone="warning">Not accepted</Badge>
                  </div>
                )}
                <Link href={`/organizations/${o.id}/privacy`} className="mt-1 block text-xs font-medium text-blue-800 underline">
                  {o.privacyAcceptedAt ? "Read the privacy terms" : "Review and accept the privacy terms"}
                  <span className="sr-only"> of {o.name}</span>
                </Link>
              </td>
              <td className="px-4 py-2">{o.profileCount}</td>
              <td className="px-4 py-2">
                <div className="space-y-2">
                  <Button variant="secondary" onClick={() => void runTest(o)} disabled={testing === o.id}>
                    {testing === o.id ? "Testing…" : "Test connection"}
                    <span className="sr-only"> to {o.name}</span>
                  </Button>
                  {result ? <Alert tone={result.ok ? "success" : "error"}>{result.message}</Alert> : null}
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
