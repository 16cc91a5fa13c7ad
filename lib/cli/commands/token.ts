// `dataverse-export token create|list|revoke`: API tokens for the REST API from the command line
// (the same token store as the portal's API tokens page). The secret is printed once, on stdout.
import os from "node:os";
import { parseArgs } from "node:util";
import type { Actor } from "../../auth/actor";
import { createDb } from "../../db";
import { AppError, ValidationError } from "../../errors";
import { migrateStore } from "../../store/migrate";
import { ZApiTokenId, ZNewApiToken } from "../../api/schemas";
import { createApiToken, listApiTokens, revokeApiToken, type ApiTokenSummary } from "../../api/token-store";
import { parseInput } from "../../validation";

const USAGE = `usage: dataverse-export token create --name NAME [--role admin|contributor|viewer]
       dataverse-export token list
       dataverse-export token revoke ID

  create   prints a new API token once (keep it: only its hash is stored); role defaults to viewer
  list     lists tokens (never the secrets)
  revoke   stops a token from working at once`;

class UsageError extends Error {}

// Whoever can run the CLI on this host can read the store anyway: they act as an admin.
function cliActor(): Actor {
  let user = "unknown";
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return { id: "cli", email: `cli:${user}@${os.hostname()}`, name: "Command line", role: "admin" };
}

function table(rows: ApiTokenSummary[]): string {
  const head = ["ID", "NAME", "ROLE", "PREFIX", "CREATED", "LAST USED", "STATUS"];
  const day = (s: string | null) => (s ? s.slice(0, 16).replace("T", " ") : "-");
  const cells = rows.map((t) => [t.id, t.name, t.role, `${t.prefix}…`, day(t.createdAt), day(t.lastUsedAt), t.revokedAt ? `revoked ${day(t.revokedAt)}` : "active"]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  return [head, ...cells].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

function parse(argv: string[]): { sub: string; name?: string; role?: string; id?: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { name: { type: "string" }, role: { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError("");
  const [sub, ...rest] = positionals;
  if (!sub) throw new UsageError("say create, list or revoke");
  if (sub === "create") {
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    if (values.name === undefined) throw new UsageError("--name is required");
    return { sub, name: values.name, role: values.role ?? "viewer" };
  }
  if (values.name !== undefined || values.role !== undefined) throw new UsageError(`--name and --role go with 'create', not '${sub}'`);
  if (sub === "list") {
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    return { sub };
  }
  if (sub === "revoke") {
    if (rest.length !== 1) throw new UsageError("revoke takes one token ID (see 'token list')");
    return { sub, id: rest[0] };
  }
  throw new UsageError(`unknown subcommand '${sub}': say create, list or revoke`);
}

export async function run(argv: string[]): Promise<number> {
  let cmd: ReturnType<typeof parse>;
  try {
    cmd = parse(argv);
    // Checked before the store is touched, so bad input creates nothing.
    if (cmd.sub === "create") parseInput(ZNewApiToken, { name: cmd.name, role: cmd.role });
    if (cmd.sub === "revoke") parseInput(ZApiTokenId, cmd.id);
  } catch (err) {
    if (err instanceof ValidationError) {
      console.error(`dataverse-export token: ${err.message}`);
      return 2;
    }
    const msg = (err as Error).message;
    if (msg) console.error(`dataverse-export token: ${msg}`);
    console.error(USAGE);
    return msg ? 2 : 0;
  }
  migrateStore();
  const db = createDb();
  const actor = cliActor();
  try {
    if (cmd.sub === "create") {
      const { token, summary } = await createApiToken(db, actor, { name: cmd.name, role: cmd.role });
      console.error(`Created ${summary.role} token "${summary.name}" (${summary.id}). It is shown only now; store it safely:`);
      console.log(token);
    } else if (cmd.sub === "list") {
      const rows = await listApiTokens(db, actor);
      console.log(rows.length ? table(rows) : "No API tokens yet. Create one: dataverse-export token create --name NAME --role admin|contributor|viewer");
    } else {
      const t = await revokeApiToken(db, actor, cmd.id);
      console.log(`Revoked token "${t.name}" (${t.id}).`);
    }
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      console.error(`dataverse-export token: ${err.message}`);
      return err instanceof ValidationError ? 2 : 1;
    }
    throw err;
  } finally {
    await db.$disconnect();
  }
}
