/** Times are shown in UTC (as the failure log writes them), the same on the server and the browser. */
export function formatUtc(value: string | Date | null | undefined): string {
  if (!value) return "never";
  const d = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return "never";
  return `${d.toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

export function formatLag(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export function TimeText({ value }: { value: string | Date | null | undefined }) {
  const text = formatUtc(value);
  return value ? <time dateTime={new Date(value).toISOString()}>{text}</time> : <span>{text}</span>;
}
