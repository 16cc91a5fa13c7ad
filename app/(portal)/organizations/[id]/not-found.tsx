import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";

export default function OrganizationNotFound() {
  return (
    <EmptyState title="This organization does not exist">
      <Link href="/organizations" className="font-medium text-blue-800 underline">
        See all organizations
      </Link>
    </EmptyState>
  );
}
