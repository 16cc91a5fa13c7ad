// `dataverse-export failures --name NAME [--format des|csv|json]`: prints a profile's write-only
// failure log, oldest first (des: the Data Export Service line format).
import { parseArgs } from "node:util";
import { createDb } from "../../db";
import { migrateStore } from "../../store/migrate";
import { exportFailures, type FailureFormat } from "../../sync/failure-log";

const USAGE = "usage: dataverse-export failures --name NAME [--format des|csv|json]";
const FORMATS: FailureFormat[] = ["des", "csv", "json"];

export async function run(argv: string[]): Promise<number> {
  let name: string | undefined;
  let format: string;
  try {
    const { values } = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: { name: { type: "string" }, format: { type: "string", default: "des" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    name = values.name?.trim();
    format = values.format ?? "des";
  } catch (err) {
    console.error(`dataverse-export failures: ${(err as Error).message.split("\n")[0]}\n${USAGE}`);
    return 2;
  }
  if (!name) {
    console.error(`dataverse-export failures: --name is required\n${USAGE}`);
    return 2;
  }
  if (!FORMATS.includes(format as FailureFormat)) {
    console.error(`dataverse-export failures: --format must be one of ${FORMATS.join(", ")}, got '${format}'`);
    return 2;
  }
  migrateStore();
  const db = createDb();
  try {
    const profile = await db.profile.findUnique({ where: { name }, select: { id: true } });
    if (!profile) {
      console.error(`dataverse-export failures: no profile named '${name}'`);
      return 1;
    }
    const out: string[] = [];
    for await (const line of exportFailures(db, profile.id, format as FailureFormat)) {
      out.push(line);
      if (out.length >= 1000) process.stdout.write(out.splice(0).join("\n") + "\n");
    }
    if (out.length) process.stdout.write(out.join("\n") + "\n");
    return 0;
  } finally {
    await db.$disconnect();
  }
}
