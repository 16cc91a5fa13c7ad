// <input type="datetime-local"> has no zone; the portal's logs are shown in UTC, so a filter's
// value is read as UTC and an ISO instant is shown back as its UTC wall time.
export const toUtcIso = (local: string) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local) ? `${local.length === 16 ? `${local}:00` : local}Z` : local);
export const toLocalInput = (iso: string | undefined) => (iso ? iso.replace(/Z$/, "").replace(/\.\d+$/, "").slice(0, 19) : "");
