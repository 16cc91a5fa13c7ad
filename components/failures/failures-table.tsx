import type { FailureLogEntry } from "@/lib/profiles/failures";
import { formatUtc } from "../ui/time-text";
import { ScrollRegion } from "@/components/ui/scroll-region";

// Reasons come from databases and Dataverse: rendered as React text (escaped), never as HTML.
export function FailuresTable({ entries, showProfile }: { entries: FailureLogEntry[]; showProfile: boolean }) {
  return (
    <ScrollRegion label="Failure log">
      <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
        <caption className="sr-only">Failure log, newest first</caption>
        <thead className="bg-slate-100 text-left text-slate-700">
          <tr>
            <th scope="col" className="px-3 py-2">Time (UTC)</th>
            {showProfile ? <th scope="col" className="px-3 py-2">Profile</th> : null}
            <th scope="col" className="px-3 py-2">Table</th>
            <th scope="col" className="px-3 py-2">Record</th>
            <th scope="col" className="px-3 py-2">Change</th>
            <th scope="col" className="px-3 py-2">Reason</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((f) => (
            <tr key={f.id} className="border-t border-slate-100 align-top" data-testid="failure-row">
              <td className="whitespace-nowrap px-3 py-2">{formatUtc(f.notificationTime)}</td>
              {showProfile ? <td className="px-3 py-2">{f.profileName}</td> : null}
              <td className="px-3 py-2 font-mono text-xs">{f.entity}</td>
              <td className="px-3 py-2 font-mono text-xs" data-testid="failure-record">
                {f.recordId}
              </td>
              <td className="whitespace-nowrap px-3 py-2">{f.changeType}</td>
              <td className="max-w-xl whitespace-pre-wrap break-words px-3 py-2" data-testid="failure-reason">
                {f.reason}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
