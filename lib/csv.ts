// The one CSV writer of the project (failure-log downloads from the portal, the API's signed links
// and the CLI): RFC 4180 quoting, and cells that a spreadsheet would run as a formula are defused.

// OWASP "CSV injection": a leading = + - @ (or a tab / carriage return before one) makes Excel and
// LibreOffice evaluate the cell. A leading apostrophe shows the text as typed and runs nothing.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvRow(values: string[]): string {
  return values.map(csvField).join(",");
}
