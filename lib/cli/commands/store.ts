// `dataverse-export store copy --from URL --to URL`: moves an install's portal store, e.g. from
// SQLite (file:PATH) to PostgreSQL (postgresql://…). Every table is copied as it is; the target
// must be a new, empty store. Stop the portal and every worker of the source first.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { databaseUrl } from "../../config/paths";
import { copyStore } from "../../store/copy";
import { redactUrl, storeProvider } from "../../store/provider";

const USAGE = `usage: dataverse-export store copy [--from URL] --to URL

  copy   copies every table of the portal store --from (default: DATABASE_URL, else
         file:$DATA_DIR/portal.db) into --to, which must be empty (refused otherwise).
         URLs: file:PATH (SQLite) or postgresql://user:pass@host:5432/db.
         Stop the portal and its workers first. Secrets stay encrypted as they are: the new
         install needs the same APP_ENCRYPTION_KEY (or $DATA_DIR/encryption.key).`;

class UsageError extends Error {}

/** file: paths relative to where the command runs, as a user means them. */
function absolute(url: string): string {
  if (!url.startsWith("file:")) return url;
  const p = url.slice("file:".length);
  return `file:${path.resolve(p)}`;
}

function parse(argv: string[]): { from: string; to: string } | "help" {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h") return "help";
  if (sub !== "copy") throw new UsageError(`unknown subcommand "${sub}"`);
  const { values } = parseArgs({
    args: rest, strict: true, allowPositionals: false,
    options: { from: { type: "string" }, to: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) return "help";
  if (!values.to) throw new UsageError("--to is required");
  const from = absolute(values.from ?? databaseUrl());
  const to = absolute(values.to);
  for (const u of [from, to]) {
    try {
      storeProvider(u);
    } catch (err) {
      throw new UsageError((err as Error).message.replace("DATABASE_URL", "a store URL"));
    }
  }
  if (from === to) throw new UsageError("--from and --to are the same store");
  // A missing SQLite file would be created empty by the migrator: refuse instead.
  if (from.startsWith("file:") && !fs.existsSync(from.slice(5))) throw new UsageError(`no store at ${from}`);
  return { from, to };
}

export async function run(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    console.error(`dataverse-export store: ${(err as Error).message.split("\n")[0]}\n${USAGE}`);
    return 2;
  }
  if (args === "help") {
    console.log(USAGE);
    return 0;
  }
  console.log(`copying the portal store ${redactUrl(args.from)} → ${redactUrl(args.to)}`);
  try {
    const { counts } = await copyStore(args.from, args.to, (line) => console.log(`  ${line}`));
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`done: ${total} rows in ${Object.keys(counts).length} tables.`);
    console.log("Start the new install with DATABASE_URL set to the target and the same encryption key (APP_ENCRYPTION_KEY or $DATA_DIR/encryption.key).");
    return 0;
  } catch (err) {
    console.error(`dataverse-export store: ${(err as Error).message}`);
    return 1;
  }
}
