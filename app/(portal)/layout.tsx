import type { ReactNode } from "react";
import { Nav } from "@/components/nav";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { requirePageSession } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageSession();
  return (
    <div className="min-h-screen">
      <header className="bg-slate-900 text-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-4 px-4 py-3">
          <div className="flex items-center gap-6">
            <span className="font-semibold tracking-tight">dataverse-export</span>
            <Nav />
          </div>
          <div className="flex items-center gap-3 text-sm">
            <span data-testid="signed-in-user">
              {actor.email} <span className="rounded bg-slate-700 px-2 py-0.5 text-xs uppercase">{actor.role}</span>
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </div>
  );
}
