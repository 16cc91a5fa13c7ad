// Deterministic value helpers: every base record is a pure function of (seed, table, index),
// so a million-row table costs no memory and a restart with the same seed serves the same data.

export type Rng = () => number;

/** FNV-1a, enough to spread (seed, table) into distinct streams. */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A mulberry32 stream that can be re-seeded: one per generator, no allocation per row. */
export class Stream {
  private a = 0;
  readonly next: Rng = () => {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  seed(s: number): void {
    this.a = s >>> 0;
  }
}

/** mulberry32: tiny, fast and good enough for demo data. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (r: Rng, min: number, max: number): number => min + Math.floor(r() * (max - min + 1));
export const pick = <T>(r: Rng, list: readonly T[]): T => list[Math.floor(r() * list.length)];
export const chance = (r: Rng, p: number): boolean => r() < p;

const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");

/**
 * Base ids carry the row index in their last 12 hex digits and a per-table prefix, so a
 * GET/PATCH by id finds the generated row without any index in memory.
 */
export function tablePrefix(seed: number, table: string): string {
  const h1 = hash32(table, seed);
  const h2 = hash32(`${table}#`, seed ^ 0x5bd1e995);
  return `${hex(h1, 8)}-${hex(h2 >>> 16, 4)}-4${hex(h2 & 0xfff, 3)}-a${hex((h1 ^ h2) & 0xfff, 3)}-`;
}

export function baseId(prefix: string, index: number): string {
  return prefix + hex(index, 12);
}

/** Index of a base id for this prefix, or -1. */
export function baseIndex(prefix: string, id: string): number {
  if (id.length !== 36 || !id.startsWith(prefix)) return -1;
  const n = Number.parseInt(id.slice(24), 16);
  return Number.isFinite(n) ? n : -1;
}

const FIRST = ["Ana", "Ben", "Chloe", "Diego", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor", "Wen", "Yara", "Zoe"];
const LAST = ["Abbott", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ito", "Jensen", "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Petrov", "Rossi", "Silva", "Tanaka", "Urban", "Vargas", "Weber", "Xu", "Yilmaz", "Zhang"];
const ADJ = ["Blue", "Northern", "Bright", "Global", "Swift", "Green", "Silver", "Urban", "Prime", "Coastal", "Alpine", "Golden"];
const NOUN = ["Bicycles", "Logistics", "Dynamics", "Foods", "Energy", "Textiles", "Robotics", "Pharma", "Media", "Builders", "Farms", "Labs"];
const SUFFIX = ["Ltd", "Inc.", "GmbH", "S.A.", "AB", "LLC", "& Co", "Group"];
const WORDS = ["renewal", "pilot", "expansion", "upgrade", "support", "migration", "rollout", "audit", "training", "integration", "review", "launch"];

export const firstName = (r: Rng): string => pick(r, FIRST);
export const lastName = (r: Rng): string => pick(r, LAST);
export const companyName = (r: Rng): string => `${pick(r, ADJ)} ${pick(r, NOUN)} ${pick(r, SUFFIX)}`;
export const phrase = (r: Rng, words: number): string =>
  Array.from({ length: words }, () => pick(r, WORDS)).join(" ");

/** A string exactly `length` characters long, so destinations see values at the column limit. */
export function exactLength(base: string, length: number): string {
  const filler = base + " ";
  return filler.repeat(Math.ceil(length / filler.length)).slice(0, length);
}

const EPOCH = Date.UTC(2019, 0, 1);
const DAY = 86_400_000;

const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const dayPrefix: string[] = [];

/** Formats without Date.toISOString: it was the single biggest cost of generating a row. */
export function dateTime(r: Rng, spanDays = 2000): string {
  const secs = Math.floor(r() * spanDays * 86_400);
  const day = Math.floor(secs / 86_400);
  const prefix = (dayPrefix[day] ??= new Date(EPOCH + day * DAY).toISOString().slice(0, 11));
  const s = secs - day * 86_400;
  return `${prefix}${TWO[Math.floor(s / 3600)]}:${TWO[Math.floor(s / 60) % 60]}:${TWO[s % 60]}Z`;
}

export function dateOnly(r: Rng, fromYear = 1950, years = 50): string {
  return new Date(Date.UTC(fromYear, 0, 1) + Math.floor(r() * years * 365) * DAY).toISOString().slice(0, 10);
}

export const money = (r: Rng, max: number): number => Math.round(r() * max * 100) / 100;

/**
 * A decimal written to the wire exactly as its text (no quotes, no rounding through a double):
 * Dataverse Decimal (up to 22 significant digits) and Money (up to 19) do not fit a double.
 * The serializer writes `String(value)`; arithmetic and formatting see an approximate number.
 */
export class ExactNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  valueOf(): number {
    return Number(this.text);
  }
  toJSON(): number {
    return Number(this.text);
  }
}

const digits = (r: Rng, n: number): string => String(Math.floor(r() * 10 ** n)).padStart(n, "0");

/** `intDigits` digits (no leading zero) . `scale` digits, exactly: 20+ significant digits for the demo data. */
export function exactDecimal(r: Rng, intDigits: number, scale: number): ExactNumber {
  const head = String(1 + Math.floor(r() * 9));
  let body = "";
  for (let left = intDigits - 1; left > 0; left -= 8) body += digits(r, Math.min(8, left));
  let frac = "";
  for (let left = scale; left > 0; left -= 8) frac += digits(r, Math.min(8, left));
  return new ExactNumber(`${chance(r, 0.2) ? "-" : ""}${head}${body}${scale ? `.${frac}` : ""}`);
}

/** A BigInt value past 2^53 (a double cannot hold it), below 2^62, as exact wire text. */
export function bigPast53(r: Rng): ExactNumber {
  return new ExactNumber(String(2n ** 53n + BigInt(Math.floor(r() * 2 ** 52)) * 511n + BigInt(Math.floor(r() * 1000))));
}

/** A deterministic GUID from a random stream (Uniqueidentifier columns). */
export function guidFrom(r: Rng): string {
  const h = () => hex(Math.floor(r() * 0x10000), 4);
  return `${h()}${h()}-${h()}-4${h().slice(1)}-8${h().slice(1)}-${h()}${h()}${h()}`;
}
