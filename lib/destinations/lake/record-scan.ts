// Walks the records of a partition file without building every field: an in-place rewrite needs
// each record's bounds, its Id, SinkCreatedOn and versionnumber, and copies the rest verbatim.
import { StringDecoder } from "node:string_decoder";

export interface ScannedRecord {
  /** Offsets of the record in the text, without its line break. */
  start: number;
  end: number;
  id: string;
  sinkCreatedOn: string | null;
  version: string | null;
  /** Fields in the record (its width). */
  width: number;
  /** The field at `deleteIndex` is True (an append-only delete row). */
  deleted: boolean;
}

function unquote(s: string): string {
  return s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s;
}

export function scanRecords(text: string, versionIndex: number, onRecord: (r: ScannedRecord) => void, deleteIndex = -1): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const start = i;
    let field = 0;
    let fieldStart = i;
    let id = "";
    let sink: string | null = null;
    let version: string | null = null;
    let deleted = false;
    let inQuotes = false;
    const close = (end: number) => {
      const raw = text.slice(fieldStart, end);
      if (field === 0) id = raw;
      else if (field === 1) sink = raw ? unquote(raw) : null;
      else if (field === versionIndex) version = raw || null;
      else if (field === deleteIndex) deleted = raw === "True";
    };
    for (;;) {
      if (i >= n) {
        close(i);
        break;
      }
      const c = text.charCodeAt(i);
      if (inQuotes) {
        if (c === 34) {
          if (text.charCodeAt(i + 1) === 34) i += 2;
          else {
            inQuotes = false;
            i++;
          }
        } else i++;
        continue;
      }
      if (c === 34) {
        inQuotes = true;
        i++;
      } else if (c === 44) {
        if (field <= 1 || field === versionIndex || field === deleteIndex) close(i);
        field++;
        fieldStart = ++i;
      } else if (c === 10 || c === 13) {
        close(i);
        break;
      } else i++;
    }
    const end = i;
    if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) i += 2;
    else if (i < n) i++;
    if (end > start) onRecord({ start, end, id, sinkCreatedOn: sink, version, width: field + 1, deleted });
  }
}

/** Dataverse row versions are decimal integers that can exceed 2^53: compare them as text. */
export function versionLess(a: string | null, b: string | null): boolean {
  if (a === null) return b !== null;
  if (b === null) return false;
  return a.length !== b.length ? a.length < b.length : a < b;
}

/** `v` + 1 as decimal text (any size). */
export function versionAfter(v: string | null): string {
  if (!v || !/^\d+$/.test(v)) return "1";
  return (BigInt(v) + 1n).toString();
}

/** Offset just past the last line break outside quotes in `text` (0 when none). */
function lastRecordEnd(text: string): number {
  let inQuotes = false;
  let cut = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes; // "" inside quotes flips twice: no change
    else if (c === 10 && !inQuotes) cut = i + 1;
  }
  return cut;
}

/**
 * scanRecords over a file read in chunks: memory stays at a chunk (~1 MB) plus one record,
 * however large the partition. `onRecord` gets the text the record's offsets refer to.
 */
export async function scanChunks(chunks: AsyncIterable<Buffer>, versionIndex: number, onRecord: (r: ScannedRecord, text: string) => void, deleteIndex = -1): Promise<void> {
  const decoder = new StringDecoder("utf8");
  let carry = "";
  for await (const chunk of chunks) {
    const text = carry + decoder.write(chunk);
    const cut = lastRecordEnd(text);
    if (!cut) {
      carry = text;
      continue;
    }
    const whole = text.slice(0, cut);
    scanRecords(whole, versionIndex, (r) => onRecord(r, whole), deleteIndex);
    carry = text.slice(cut);
  }
  const rest = carry + decoder.end();
  if (rest) scanRecords(rest, versionIndex, (r) => onRecord(r, rest), deleteIndex);
}
