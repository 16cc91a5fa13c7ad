// JSON.parse that keeps numbers a double cannot hold exactly. Dataverse Decimal (up to 22
// significant digits), Money (19) and BigInt (past 2^53) arrive as bare JSON numbers; JSON.parse
// would round them to ~15–17 digits. Node 20 has no JSON.parse source access, so a pre-pass
// quotes every long numeric property value (16+ characters of digits and dots) and JSON.parse
// then yields the exact text. Written by hand: no maintained library does only this at this speed
// (json-bigint and lossless-json parse in JavaScript, several times slower than JSON.parse).

/** Cheap test first: most pages have no 16-character run of digits and dots at all. */
const MAYBE_LONG = /\d[\d.]{15}/;
/**
 * A property value that is a long number. Safe against look-alikes inside strings: the key must
 * end in a word character followed by a real (unescaped) quote and a colon — inside a JSON string
 * every quote is escaped, so `\"name\":12345678901234567` there cannot match.
 */
const LONG_VALUE = /("[\w@.-]*[\w@.]":)(-?\d[\d.]{15,}(?:[eE][+-]?\d+)?)(?=\s*[,}\]])/g;

export function parseJsonExact<T>(text: string): T {
  if (!MAYBE_LONG.test(text)) return JSON.parse(text) as T;
  return JSON.parse(text.replace(LONG_VALUE, '$1"$2"')) as T;
}
