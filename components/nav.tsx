"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS: { href: string; label: string; also?: string }[] = [
  { href: "/", label: "Dashboard" },
  { href: "/organizations", label: "Organizations" },
  { href: "/profiles", label: "Profiles" },
  { href: "/connections", label: "Connections" },
  { href: "/failures", label: "Failures" },
  { href: "/workers", label: "Workers" },
  { href: "/users", label: "Users" },
  { href: "/audit", label: "Audit" },
  // The API page links to the tokens page; both light up "API".
  { href: "/api-docs", label: "API", also: "/tokens" },
];

export function Nav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex flex-wrap gap-1">
      {LINKS.map((link) => {
        const active =
          link.href === "/" ? pathname === "/" : pathname.startsWith(link.href) || (link.also !== undefined && pathname.startsWith(link.also));
        return (
          <Link
            key={link.href}
            href={link.href}
            aria-current={active ? "page" : undefined}
            className={`rounded-md px-3 py-2 text-sm font-medium ${active ? "bg-slate-800 text-white" : "text-slate-200 hover:bg-slate-700 hover:text-white"}`}
          >
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}
