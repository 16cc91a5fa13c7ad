// A target table in the lake: its columns in Synapse Link order, their CDM data types, and how a
// SourceRecord becomes one CSV line. Order: Id, SinkCreatedOn, SinkModifiedOn, <table columns…>,
// versionnumber, createdon, modifiedon, IsDelete, <columns added later…> — a file's rows all have
// the width the table had when the file was started.
import { SYSTEM_COLUMNS } from "../columns";
import { makeValueGetters, type Encoder } from "../row-values";
import type { ColumnSpec, SourceRecord, TargetTableSpec } from "../types";
import { ByteChunks } from "../byte-chunks";
import { csvLine, type CsvKind } from "./csv";

export type CdmDataType = "guid" | "string" | "int64" | "double" | "decimal" | "boolean" | "dateTime" | "dateTimeOffset";

export interface LakeColumn {
  name: string;
  dataType: CdmDataType;
  /** Strings: the width Dataverse declares (model.json maxLength and is.constrained). */
  maxLength?: number;
  /** Decimals: precision and scale (is.dataFormat.numeric.shaped). */
  precision?: number;
  scale?: number;
}

export const IS_DELETE = "IsDelete";
const TRAILING = [SYSTEM_COLUMNS.version, "createdon", "modifiedon"];
const LEADING = [SYSTEM_COLUMNS.id, SYSTEM_COLUMNS.createdOn, SYSTEM_COLUMNS.modifiedOn];

export function lakeColumnFor(c: ColumnSpec): LakeColumn {
  switch (c.type) {
    case "guid":
      return { name: c.name, dataType: "guid" };
    case "string":
      return { name: c.name, dataType: "string", maxLength: c.maxLength };
    case "text":
      return { name: c.name, dataType: "string" };
    case "int":
    case "bigint":
      return { name: c.name, dataType: "int64" };
    case "bool":
      return { name: c.name, dataType: "boolean" };
    case "datetime":
    case "date":
      return { name: c.name, dataType: "dateTime" };
    case "decimal":
      return { name: c.name, dataType: "decimal", precision: 38, scale: c.precision ?? 10 };
    case "money":
      return { name: c.name, dataType: "decimal", precision: 38, scale: 4 };
    case "float":
      return { name: c.name, dataType: "double" };
  }
}

/** The Synapse Link column order for a table spec (a brand-new table). */
export function lakeColumnsFor(spec: TargetTableSpec): LakeColumn[] {
  const by = new Map(spec.columns.map((c) => [c.name.toLowerCase(), c]));
  const out: LakeColumn[] = [];
  for (const n of LEADING) out.push(lakeColumnFor(by.get(n.toLowerCase())!));
  for (const c of spec.columns) {
    const k = c.name.toLowerCase();
    if (LEADING.some((n) => n.toLowerCase() === k) || TRAILING.some((n) => n.toLowerCase() === k)) continue;
    out.push(lakeColumnFor(c));
  }
  for (const n of TRAILING) {
    const c = by.get(n.toLowerCase());
    if (c) out.push(lakeColumnFor(c));
  }
  out.push({ name: IS_DELETE, dataType: "boolean" });
  return out;
}

/** Columns of `spec` the lake table lacks, appended at the end (never reordered, never dropped). */
export function mergeColumns(current: LakeColumn[], spec: TargetTableSpec): { columns: LakeColumn[]; added: string[] } {
  const have = new Set(current.map((c) => c.name.toLowerCase()));
  const added = spec.columns.filter((c) => !have.has(c.name.toLowerCase())).map(lakeColumnFor);
  return { columns: added.length ? [...current, ...added] : current, added: added.map((c) => c.name) };
}

export function csvKindOf(c: LakeColumn): CsvKind {
  if (c.dataType === "string" || c.dataType === "dateTime" || c.dataType === "dateTimeOffset") return "quoted";
  if (c.dataType === "boolean") return "bool";
  return "plain";
}

/** "2020-01-01T00:15:00.0000000Z": seven fractional digits, as Synapse Link writes dateTime. */
function synapseDateTime(iso: string): string {
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}0000Z`;
}

const lakeEncoder: Encoder = {
  bool: (v) => v,
  datetime: (iso) => synapseDateTime(iso),
  date: (day) => `${day}T00:00:00.0000000Z`,
  bigint: (v) => v,
};

/** `SinkCreatedOn` / `SinkModifiedOn`: "5/21/2024 8:07:17 AM" (UTC), as Synapse Link writes them. */
export function sinkTime(d: Date): string {
  const h = d.getUTCHours();
  const hh = h % 12 === 0 ? 12 : h % 12;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${hh}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`;
}

export interface RowWriter {
  /** Values in `columns` order (width of the table now); SinkCreatedOn/SinkModifiedOn = `sink`. */
  values(r: SourceRecord, sink: string): unknown[];
  line(values: unknown[], width: number): string;
  /**
   * The record's line (table width now) written value by value into the chunks `into` picks by
   * its createdon (the partition), with no row array or line string: the bytes of
   * `line(values(r, sink), width)`. Returns its versionnumber. Throws the same RecordValueErrors,
   * possibly after part of the line is written (the caller drops the chunks of a failed call).
   */
  encode(r: SourceRecord, sink: string, into: (createdon: unknown) => ByteChunks): unknown;
  kinds: CsvKind[];
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const QUOTES = /"/g;

/** Builds CSV lines for `columns` from records of `spec` (columns not in the spec stay empty). */
export function rowWriter(spec: TargetTableSpec, columns: LakeColumn[]): RowWriter {
  const getters = makeValueGetters(spec, lakeEncoder);
  const index = new Map(spec.columns.map((c, i) => [c.name.toLowerCase(), i]));
  const from = columns.map((c) => index.get(c.name.toLowerCase()) ?? -1);
  const source = from.map((i) => (i < 0 ? null : getters[i]));
  const kinds = columns.map(csvKindOf);
  const createdAt = columns.findIndex((c) => c.name.toLowerCase() === "createdon");
  const versionAt = columns.findIndex((c) => c.name.toLowerCase() === SYSTEM_COLUMNS.version.toLowerCase());
  const width = columns.length;
  return {
    kinds,
    values(r, sink) {
      return source.map((get) => (get === null ? null : get(r, sink)));
    },
    line(values, w) {
      return csvLine(values, kinds, Math.min(w, kinds.length));
    },
    encode(r, sink, into) {
      const createdGet = createdAt < 0 ? null : source[createdAt];
      const createdon = createdGet ? createdGet(r, sink) : null;
      const out = into(createdon);
      let version: unknown = null;
      for (let i = 0; i < width; i++) {
        if (i) out.byte(COMMA);
        const get = source[i];
        const v = i === createdAt ? createdon : get === null ? null : get(r, sink);
        if (v === null || v === undefined) continue;
        if (i === versionAt) version = v;
        const kind = kinds[i];
        if (kind === "quoted") {
          const t = typeof v === "string" ? v : String(v);
          out.byte(QUOTE);
          out.write(t.includes('"') ? t.replace(QUOTES, '""') : t);
          out.byte(QUOTE);
        } else if (kind === "bool") out.write(v ? "True" : "False");
        else out.write(typeof v === "string" ? v : String(v));
      }
      out.byte(NEWLINE);
      return version;
    },
  };
}

/** The partition a record belongs to: its createdon year ("2024") or month ("2024-05"); "1" without one. */
export function partitionOf(createdon: unknown, granularity: "Year" | "Month"): string {
  if (typeof createdon !== "string" || createdon.length < 7) return "1";
  return granularity === "Year" ? createdon.slice(0, 4) : createdon.slice(0, 7);
}
