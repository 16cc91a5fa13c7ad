// A download streamed line by line (failure log, audit log), so a million rows never sit in
// memory: lines are sent in chunks of ~64 kB, and a client that goes away stops the reading.

export interface LineDownload {
  /** The file name offered to the browser (no path). */
  filename: string;
  /** CSV (text/csv, CRLF line ends, RFC 4180) or plain text lines (LF). */
  csv: boolean;
  /** Line end; default CRLF for CSV, LF otherwise. */
  eol?: string;
}

export function lineDownloadResponse(source: AsyncIterable<string>, { filename, csv, eol = csv ? "\r\n" : "\n" }: LineDownload): Response {
  const lines = source[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = "";
      while (chunk.length < 65_536) {
        const next = await lines.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += next.value + eol;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await lines.return?.();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": csv ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/** 2026-01-31-12-00-00: a file-name-safe UTC time stamp. */
export function fileStamp(now = new Date()): string {
  return now.toISOString().slice(0, 19).replace(/[:T]/g, "-");
}
