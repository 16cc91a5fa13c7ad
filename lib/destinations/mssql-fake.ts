// A SQL Server stand-in for unit tests (SQL Server cannot run on our machines). Every statement the
// destination sends is parsed as T-SQL by node-sql-parser — one that does not parse fails the call —
// and the data statements that decide what a write does (the version-guarded upsert, deletes by id)
// are executed on in-memory tables by evaluating their parsed clauses. So the guard is checked by
// what it does, and rows-affected is what the server would report, not a count of parameters.
import type { CompiledQuery } from "kysely";
import sqlParser from "node-sql-parser";

type Row = Record<string, unknown>;
// The parser's AST is untyped JSON; these are the few shapes read here.
type Node = { type?: string; [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

const parser = new sqlParser.Parser();

export class TsqlParseError extends Error {}

/**
 * node-sql-parser does not read the `]]` escape inside a bracket-quoted name (`[a]]b]`, which SQL
 * Server reads as `a]b`): each such pair becomes `__` before parsing, outside string literals only.
 */
function withoutBracketEscapes(text: string): string {
  let out = "";
  let inString = false;
  let inName = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "'" && text[i + 1] === "'") { out += "''"; i++; continue; }
      if (ch === "'") inString = false;
    } else if (inName) {
      if (ch === "]" && text[i + 1] === "]") { out += "__"; i++; continue; }
      if (ch === "]") inName = false;
    } else if (ch === "'") inString = true;
    else if (ch === "[") inName = true;
    out += ch;
  }
  return out;
}

/** Parses one request (one or more statements); throws TsqlParseError naming the statement. */
export function parseTsql(text: string): Node[] {
  try {
    const ast = parser.astify(withoutBracketEscapes(text), { database: "transactsql" });
    return (Array.isArray(ast) ? ast : [ast]) as Node[];
  } catch (err) {
    throw new TsqlParseError(`T-SQL does not parse: ${(err as Error).message.slice(0, 200)}\n${text}`);
  }
}

const key = (db: string | null, table: string) => `${db ?? "dbo"}.${table}`.toLowerCase();
const norm = (v: unknown) => (typeof v === "string" && /^[0-9a-f-]{36}$/i.test(v) ? v.toLowerCase() : v);

function compare(a: unknown, b: unknown): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  const num = (x: unknown) => (typeof x === "number" || typeof x === "bigint" ? BigInt(x) : typeof x === "string" && /^-?\d+$/.test(x) ? BigInt(x) : null);
  const [x, y] = [num(a), num(b)];
  if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : 0;
  const [s, t] = [String(norm(a)), String(norm(b))];
  return s < t ? -1 : s > t ? 1 : 0;
}

export class FakeSqlServer {
  /** Table rows by "schema.table", each keyed by its lower-case Id. */
  readonly tables = new Map<string, Map<string, Row>>();

  rows(schema: string, table: string): Row[] {
    return [...(this.tables.get(key(schema, table))?.values() ?? [])];
  }

  /** Parses the request and, for the statements it models, applies them; returns rows affected. */
  execute(q: CompiledQuery): number {
    let affected = 0;
    for (const st of parseTsql(q.sql)) {
      if (st.type === "update" && st.from?.[1]?.expr?.type === "values") affected += this.update(st, q.parameters);
      else if (st.type === "insert" && st.values?.type === "select" && st.values.from?.[0]?.expr?.type === "values") affected += this.insertSelect(st, q.parameters);
      else if (st.type === "delete") affected += this.deleteWhere(st, q.parameters);
    }
    return affected;
  }

  private table(db: string | null, name: string): Map<string, Row> {
    const k = key(db, name);
    let t = this.tables.get(k);
    if (!t) this.tables.set(k, (t = new Map()));
    return t;
  }

  /** `(values (...), ...) as s (a, b)` → rows of s. */
  private source(from: Node, params: readonly unknown[]): { alias: string; rows: Row[] } {
    const m = /^(\w+)\((.*)\)$/.exec(String(from.as).replace(/\s+/g, ""));
    if (from.expr?.type !== "values" || !m) throw new Error(`fake SQL Server: unsupported source ${JSON.stringify(from).slice(0, 120)}`);
    const cols = m[2].split(",");
    const rows = (from.expr.values as Node[]).map((v) => Object.fromEntries(cols.map((c, i) => [c, this.value(v.value[i], {}, params)])));
    return { alias: m[1], rows };
  }

  private value(e: Node, env: Record<string, Row>, params: readonly unknown[]): unknown {
    switch (e.type) {
      case "column_ref": {
        if (typeof e.column === "string" && e.column.startsWith("@")) return params[Number(e.column.slice(1)) - 1];
        const row = e.table ? env[e.table] : Object.values(env)[0];
        return row?.[e.column];
      }
      case "number":
      case "single_quote_string":
      case "string":
        return e.value;
      case "null":
        return null;
      case "binary_expr":
        return this.test(e, env, params);
      default:
        throw new Error(`fake SQL Server: unsupported expression ${e.type}`);
    }
  }

  /** SQL three-valued logic, reduced to true / not true. */
  private test(e: Node, env: Record<string, Row>, params: readonly unknown[]): boolean {
    if (e.type === "unary_expr" && /^NOT EXISTS$/i.test(e.operator)) return !this.exists(e.expr.ast, env, params);
    if (e.type !== "binary_expr") return Boolean(this.value(e, env, params));
    const op = String(e.operator).toUpperCase();
    if (op === "AND") return this.test(e.left, env, params) && this.test(e.right, env, params);
    if (op === "OR") return this.test(e.left, env, params) || this.test(e.right, env, params);
    const left = this.value(e.left, env, params);
    if (op === "IS") return left === null || left === undefined;
    if (op === "IS NOT") return !(left === null || left === undefined);
    if (op === "IN") return (e.right.value as Node[]).some((x) => compare(left, this.value(x, env, params)) === 0);
    const c = compare(left, this.value(e.right, env, params));
    if (c === null) return false;
    return op === "=" ? c === 0 : op === "<=" ? c <= 0 : op === ">=" ? c >= 0 : op === "<" ? c < 0 : op === ">" ? c > 0 : op === "<>" || op === "!=" ? c !== 0 : false;
  }

  private exists(sel: Node, env: Record<string, Row>, params: readonly unknown[]): boolean {
    const from = sel.from[0];
    const alias = from.as ?? from.table;
    return [...this.table(from.db, from.table).values()].some((r) => !sel.where || this.test(sel.where, { ...env, [alias]: r }, params));
  }

  private update(st: Node, params: readonly unknown[]): number {
    const [target, joined] = st.from as Node[];
    const alias = target.as ?? target.table;
    const rows = this.table(target.db, target.table);
    const src = this.source(joined, params);
    let n = 0;
    for (const s of src.rows) {
      for (const r of rows.values()) {
        const env = { [alias]: r, [src.alias]: s };
        if (!this.test(joined.on, env, params) || (st.where && !this.test(st.where, env, params))) continue;
        for (const set of st.set as Node[]) r[set.column] = this.value(set.value, env, params);
        n++;
      }
    }
    return n;
  }

  private insertSelect(st: Node, params: readonly unknown[]): number {
    const into = st.table[0];
    const sel = st.values;
    const rows = this.table(into.db, into.table);
    const src = this.source(sel.from[0], params);
    let n = 0;
    for (const s of src.rows) {
      const env = { [src.alias]: s };
      if (sel.where && !this.test(sel.where, env, params)) continue;
      const row = Object.fromEntries((st.columns as string[]).map((c, i) => [c, this.value(sel.columns[i].expr, env, params)]));
      const id = String(norm(row.Id ?? row.id));
      if (rows.has(id)) throw Object.assign(new Error(`Violation of PRIMARY KEY constraint. The duplicate key value is (${id}).`), { number: 2627 });
      rows.set(id, row);
      n++;
    }
    return n;
  }

  private deleteWhere(st: Node, params: readonly unknown[]): number {
    const from = (st.from ?? st.table)[0];
    const rows = this.tables.get(key(from.db, from.table));
    if (!rows) return 0;
    let n = 0;
    for (const [id, r] of [...rows]) {
      if (!st.where || this.test(st.where, { [from.as ?? from.table]: r }, params)) {
        rows.delete(id);
        n++;
      }
    }
    return n;
  }
}
