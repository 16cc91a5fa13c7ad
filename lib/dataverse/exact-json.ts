// JSON.parse that keeps numbers a double cannot hold exactly. Dataverse Decimal (up to 22
// significant digits), Money (19) and BigInt (past 2^53) arrive as bare JSON numbers; JSON.parse
// would round them to ~15–17 digits. Node 20 has no JSON.parse source access, so a pre-pass
// quotes every long numeric property value (16+ characters of digits and dots) and JSON.parse
// then yields the exact text. Written by hand: json-bigint and lossless-json parse in JavaScript,
// several times slower than JSON.parse; this pass costs well under a millisecond per page without
// long numbers (it probes one character in 16) and a few per page with them.

const isNumeric = (c: number): boolean => (c >= 48 && c <= 57) || c === 46; // 0-9 .
const isKeyChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 64 || c === 46; // \w @ .

export function parseJsonExact<T>(text: string): T {
  const n = text.length;
  let out: string[] | null = null;
  let copied = 0;
  // A run of 16 numeric characters starting in [p-15, p] contains p: probe every 16th character,
  // and on a numeric one look back only as far as a non-numeric one (Boyer-Moore style).
  for (let p = 15; p < n; ) {
    if (!isNumeric(text.charCodeAt(p))) {
      p += 16;
      continue;
    }
    let q = p - 1;
    while (q >= p - 15 && isNumeric(text.charCodeAt(q))) q--;
    if (q >= p - 15) {
      p = q + 16; // the next run that can be long enough starts after q
      continue;
    }
    let start = p - 15;
    while (start > 0 && isNumeric(text.charCodeAt(start - 1))) start--;
    let end = p;
    while (end + 1 < n && isNumeric(text.charCodeAt(end + 1))) end++;
    const span = quoteAt(text, start, end);
    if (span) {
      (out ??= []).push(text.slice(copied, span.from), '"', text.slice(span.from, span.to), '"');
      copied = span.to;
    }
    p = end + 17;
  }
  return JSON.parse(out ? out.join("") + text.slice(copied) : text) as T;
}

/**
 * The span to quote when the run [start, end] is a property's number value: `"key":-123…[e±n]`
 * followed by `,` `}` `]` or whitespace. Inside a JSON string every quote is escaped, so a real
 * `"` preceded by a key character and followed by `:` always ends a key.
 */
function quoteAt(t: string, start: number, end: number): { from: number; to: number } | null {
  const from = t.charCodeAt(start - 1) === 45 ? start - 1 : start; // -
  if (t.charCodeAt(from - 1) !== 58 || t.charCodeAt(from - 2) !== 34 || !isKeyChar(t.charCodeAt(from - 3))) return null; // ": after a key
  let to = end + 1;
  const e = t.charCodeAt(to);
  if (e === 101 || e === 69) {
    to++;
    if (t.charCodeAt(to) === 43 || t.charCodeAt(to) === 45) to++;
    while (to < t.length && t.charCodeAt(to) >= 48 && t.charCodeAt(to) <= 57) to++;
  }
  const next = t.charCodeAt(to);
  return next === 44 || next === 125 || next === 93 || next === 32 || next === 10 || next === 13 || next === 9 ? { from, to } : null;
}
