import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";

export default function ProfileNotFound() {
  return (
    <EmptyState title="This profile does not exist">
      It may have been deleted.{" "}
      <Link href="/profiles" className="font-medium text-blue-800 underline">
        See all profiles
      </Link>
      .
    </EmptyState>
  );
}
