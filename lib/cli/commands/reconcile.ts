// `dataverse-export reconcile --name NAME [--repair] [--tables a,b] [--format text|json]`: compares
// every table of a profile with the source (ids and versions), prints missing / extra / stale
// counts with samples, repairs them with --repair (then compares again). Exit 0 only when source
// and target are equal (after the repair), 1 when they differ or a table could not be compared,
// 2 on bad flags. The result is stored like the worker's (the portal shows it).
import { parseArgs } from "node:util";
import { createDb } from "../../db";
import { migrateStore } from "../../store/migrate";
import type { ProfileReconciliation } from "../../sync/reconcile/reconcile-profile";
import { runRecordedReconciliation } from "../../sync/reconcile/run";
import { errorText } from "../../sync/retry-policy";

const USAGE = "usage: dataverse-export reconcile --name NAME [--repair] [--tables a,b] [--format text|json]";

function text(r: ProfileReconciliation, label: string): string[] {
  const lines = [`${label}:`];
  for (const t of r.tables) {
    if (t.error) {
      lines.push(`  ${t.logicalName}: could not be compared: ${t.error}`);
      continue;
    }
    lines.push(`  ${t.logicalName}: ${t.missing} missing, ${t.extra} extra, ${t.stale} stale (source ${t.sourceCount}, target ${t.targetCount}, ${t.durationMs} ms)${t.repaired ? `; repaired ${t.repairedRows} row(s)${t.repairFailed ? `, ${t.repairFailed} still refused (see the failure log)` : ""}` : ""}`);
    for (const k of ["missing", "extra", "stale"] as const) if (t.samples[k].length) lines.push(`    ${k}: ${t.samples[k].join(", ")}${t[k] > t.samples[k].length ? ", …" : ""}`);
  }
  return lines;
}

export async function run(argv: string[]): Promise<number> {
  let name: string | undefined;
  let format: string;
  let repair: boolean;
  let tables: string[] | undefined;
  try {
    const { values } = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: {
        name: { type: "string" }, repair: { type: "boolean", default: false }, tables: { type: "string" },
        format: { type: "string", default: "text" }, help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    name = values.name?.trim();
    format = values.format ?? "text";
    repair = values.repair === true;
    tables = values.tables?.split(",").map((s) => s.trim()).filter(Boolean);
  } catch (err) {
    console.error(`dataverse-export reconcile: ${(err as Error).message.split("\n")[0]}\n${USAGE}`);
    return 2;
  }
  if (!name) {
    console.error(`dataverse-export reconcile: --name is required\n${USAGE}`);
    return 2;
  }
  if (format !== "text" && format !== "json") {
    console.error(`dataverse-export reconcile: --format must be text or json, got '${format}'`);
    return 2;
  }
  migrateStore();
  const db = createDb();
  try {
    const profile = await db.profile.findUnique({ where: { name }, select: { id: true } });
    if (!profile) {
      console.error(`dataverse-export reconcile: no profile named '${name}'`);
      return 1;
    }
    const first = (await runRecordedReconciliation(db, profile.id, "cli", { repair, tables })).result;
    // After a repair, a second comparison says whether the target now equals the source.
    const final = repair ? (await runRecordedReconciliation(db, profile.id, "cli", { tables })).result : first;
    if (format === "json") {
      console.log(JSON.stringify({ profile: name, equal: final.equal, missing: final.missing, extra: final.extra, stale: final.stale, durationMs: final.durationMs, tables: final.tables, ...(repair ? { repair: first } : {}) }));
    } else {
      const lines = repair ? [...text(first, "before repair"), ...text(final, "after repair")] : text(final, "reconciliation");
      lines.push(final.equal ? "reconcile: target == source" : `reconcile: ${final.missing} missing, ${final.extra} extra, ${final.stale} stale${final.tables.some((t) => t.error) ? ", some tables not compared" : ""}`);
      console.log(lines.join("\n"));
    }
    return final.equal ? 0 : 1;
  } catch (err) {
    console.error(`dataverse-export reconcile: ${errorText(err)}`);
    return 1;
  } finally {
    await db.$disconnect();
  }
}
