import type { ProfileDetail } from "@/lib/profiles/status";
import { formatUtc } from "../ui/time-text";

const link = "text-blue-800 underline";

/**
 * A lake database export (issue 13): where its files are, its DuckDB database file and Synapse
 * script to download, tables removed from the export (view kept, no longer updated), and the
 * databases it stopped updating when renamed.
 */
/** `canDownloadFile`: the DuckDB file, which can hold the rows (those who may change the export). */
export function ProfileLakeDatabase({ profile, canDownloadFile }: { profile: ProfileDetail; canDownloadFile: boolean }) {
  const d = profile.lake?.database;
  if (!d) return null;
  const base = `/api/portal/profiles/${profile.id}/lake-database`;
  const frozen = profile.tables.filter((t) => t.frozenAt);
  return (
    <div className="space-y-3 text-sm" data-testid="lake-database">
      {d.name ? (
        <p>
          Database <strong data-testid="lake-database-name">{d.name}</strong>: files under <span className="font-mono text-xs">&lt;container&gt;/{d.name}/</span>.{" "}
          {d.builtAt ? `DuckDB database file built ${formatUtc(d.builtAt)}.` : "The worker builds its DuckDB database file after the first cycle that writes data."}
        </p>
      ) : null}
      {d.name ? (
        <p className="flex flex-wrap gap-4">
          {canDownloadFile ? <a className={link} href={`${base}/duckdb`} download>Download the DuckDB database file</a> : null}
          <a className={link} href={`${base}/synapse.sql`} download>Download the Synapse serverless SQL script</a>
        </p>
      ) : null}
      {frozen.length ? (
        <div>
          <h3 className="font-medium text-slate-800">Removed tables (views kept, no longer updated)</h3>
          <ul className="list-disc pl-5" data-testid="lake-database-frozen">
            {frozen.map((t) => (
              <li key={t.logicalName}>
                {t.logicalName}: no longer updated since {formatUtc(t.frozenAt ?? null)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {d.previous.length ? (
        <div>
          <h3 className="font-medium text-slate-800">Previous databases (no longer updated)</h3>
          <ul className="list-disc pl-5" data-testid="lake-database-previous">
            {d.previous.map((o) => (
              <li key={o.name}>
                {o.name}: stopped {formatUtc(o.stoppedAt)}
                {canDownloadFile ? (
                  <>
                    {" · "}
                    <a className={link} href={`${base}/duckdb?database=${encodeURIComponent(o.name)}`} download>DuckDB file</a>
                  </>
                ) : null}
                {" · "}
                <a className={link} href={`${base}/synapse.sql?database=${encodeURIComponent(o.name)}`} download>Synapse script</a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
