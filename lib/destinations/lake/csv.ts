// The CSV dialect Synapse Link writes: no header, comma, `"` quote and `""` escape, quoted fields
// may hold newlines; strings and dates quoted; numbers, GUIDs and booleans not; null = empty and
// unquoted. Written by hand (a dozen lines) because csv-stringify is not a dependency and the
// per-type quoting rule is the whole point.

/** How a column's value is written. */
export type CsvKind = "quoted" | "plain" | "bool";

/** One field: `null`/`undefined` → empty; quoted kinds always quoted (an empty string is `""`). */
export function csvField(v: unknown, kind: CsvKind): string {
  if (v === null || v === undefined) return "";
  if (kind === "bool") return v ? "True" : "False";
  const s = typeof v === "string" ? v : String(v);
  if (kind === "plain") return s;
  return `"${s.includes('"') ? s.replace(/"/g, '""') : s}"`;
}

/** The first `width` values (default: one per kind) as a line. */
export function csvLine(values: unknown[], kinds: CsvKind[], width = kinds.length): string {
  let out = "";
  for (let i = 0; i < width; i++) {
    if (i) out += ",";
    out += csvField(values[i], kinds[i]);
  }
  return `${out}\n`;
}

/**
 * Parses CSV text into records of fields: `null` for an empty unquoted field, the unescaped text
 * otherwise (a quoted empty field is ""). Used to rewrite partition files in place.
 */
export function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field: string | null;
    if (text[i] === '"') {
      let j = i + 1;
      let value = "";
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new Error("unterminated quoted field");
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      field = value;
    } else {
      let j = i;
      while (j < n && text[j] !== "," && text[j] !== "\n" && text[j] !== "\r") j++;
      field = j === i ? null : text.slice(i, j);
      i = j;
    }
    row.push(field);
    if (i >= n) {
      rows.push(row);
      break;
    }
    const c = text[i];
    if (c === ",") {
      i++;
      if (i >= n) {
        row.push(null);
        rows.push(row);
      }
    } else {
      if (c === "\r" && text[i + 1] === "\n") i++;
      i++;
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

/** Writes back a parsed record (see parseCsv) with the column kinds; missing fields become nulls. */
export function csvLineFromFields(fields: (string | null)[], kinds: CsvKind[]): string {
  let out = "";
  for (let i = 0; i < kinds.length; i++) {
    if (i) out += ",";
    const f = fields[i];
    if (f === null || f === undefined) continue;
    out += kinds[i] === "quoted" ? csvField(f, "quoted") : f;
  }
  return `${out}\n`;
}
