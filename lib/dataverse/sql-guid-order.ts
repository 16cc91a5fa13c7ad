// Dataverse runs on SQL Server, which orders `uniqueidentifier` values neither as text nor as a
// 128-bit number: it compares the 16 bytes of the stored GUID in the order 10-15, 8-9, 6-7, 4-5,
// 0-3 (System.Data.SqlTypes.SqlGuid does the same). The first three groups are stored
// little-endian, so in the text form: the 5th group (last 12 hex digits) decides first, left to
// right; then the 4th group left to right; then the 3rd, 2nd and 1st groups with their bytes read
// from right to left. Anything that must agree with the service's `$orderby` on an id (paging,
// reconciliation by key ranges) uses this order.

const GUID = /^\{?([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})\}?$/;

/** Bytes of a hex group in reverse order: "a1b2c3d4" → "d4c3b2a1". */
function reverseBytes(hex: string): string {
  let out = "";
  for (let i = hex.length - 2; i >= 0; i -= 2) out += hex.slice(i, i + 2);
  return out;
}

/**
 * A 32-hex-digit key whose plain string order is SQL Server's order of the GUID. Throws on
 * anything that is not a GUID (with or without braces, any case).
 */
export function sqlGuidSortKey(guid: string): string {
  const m = GUID.exec(guid);
  if (!m) throw new Error(`not a GUID: '${guid}'`);
  const [, g1, g2, g3, g4, g5] = m;
  return (g5 + g4 + reverseBytes(g3) + reverseBytes(g2) + reverseBytes(g1)).toLowerCase();
}

/** Compares two GUIDs as SQL Server orders `uniqueidentifier`: negative, 0 or positive. */
export function compareSqlGuid(a: string, b: string): number {
  const x = sqlGuidSortKey(a);
  const y = sqlGuidSortKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The same key as slices of the lower-case 36-character text, most significant first, 1-based
 * `[start, length]` for SQL `substr` (targets without SQL Server's uniqueidentifier order sort on
 * `substr(id, …) || substr(id, …) || …`). Must produce exactly sqlGuidSortKey (tested).
 */
export const SQL_GUID_KEY_SLICES: readonly (readonly [number, number])[] = [
  [25, 12], // group 5, as written
  [20, 4], // group 4, as written
  [17, 2], [15, 2], // group 3, bytes reversed
  [12, 2], [10, 2], // group 2, bytes reversed
  [7, 2], [5, 2], [3, 2], [1, 2], // group 1, bytes reversed
];
