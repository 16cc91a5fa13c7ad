// The bytes of one staged CSV page, written into a buffer the table keeps and reuses: a page's
// text is never built as a JS string (thousands of `+=` pieces flattened once per page, then
// encoded to UTF-8 again), so the page path leaves little for V8's collector — which was a fifth
// of the export's main-thread time with strings.
import { writeText } from "../../byte-chunks";

const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const QUOTES = /"/g;

export class CsvPage {
  private buf = Buffer.allocUnsafe(1 << 20);
  private len = 0;

  reset(): void {
    this.len = 0;
  }

  /** The page so far (a view: valid until the next reset). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** A value and its separator: text always quoted (an empty string is not null), quotes doubled; null as nothing. */
  value(v: unknown, last: boolean): void {
    if (typeof v === "string") {
      const s = v.includes('"') ? v.replace(QUOTES, '""') : v;
      this.room(s.length * 3 + 3);
      this.buf[this.len++] = QUOTE;
      this.text(s);
      this.buf[this.len++] = QUOTE;
    } else if (v !== null && v !== undefined) {
      const s = String(v);
      this.room(s.length + 1);
      this.text(s);
    } else this.room(1);
    this.buf[this.len++] = last ? NEWLINE : COMMA;
  }

  /**
   * Most values are short ASCII (ids, times, numbers): copied a character at a time, which costs
   * less than a call into Buffer.write (its argument checks were a third of the page's CPU).
   * Room is made by the caller.
   */
  private text(s: string): void {
    this.len += writeText(this.buf, s, this.len, SHORT);
  }
}

const SHORT = 64;
