// $batch as "Execute batch operations using the Web API" describes it: a multipart/mixed body of
// application/http requests run in order, responses in the same order; change sets (nested
// multipart/mixed) are atomic — one failure rolls the whole set back — may not contain GET, and
// may reference earlier creates as $<Content-ID> in URLs and bodies. Without
// Prefer: odata.continue-on-error the batch stops at the first failure and answers its status.
import { randomUUID } from "node:crypto";
import { STATUS_CODES, type IncomingHttpHeaders } from "node:http";
import { errorReply, serveApiReply } from "./api.ts";
import type { Reply } from "./data-routes.ts";
import { ODataError, badRequest } from "./odata.ts";
import type { Store } from "./store.ts";

const MAX_REQUESTS = 1000;
const API_PATH = "/api/data/v9.2/";

interface HttpPart {
  contentId?: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type BatchItem = { kind: "request"; req: HttpPart } | { kind: "changeset"; reqs: HttpPart[] };

function boundaryOf(contentType: string | undefined): string | null {
  const m = /^\s*multipart\/mixed\s*;.*?boundary\s*=\s*"?([^";]+)"?/i.exec(contentType ?? "");
  return m ? m[1].trim() : null;
}

/** Splits a multipart body into its parts (lines between delimiters); CRLF and LF both accepted. */
function splitParts(text: string, boundary: string): string[][] {
  const parts: string[][] = [];
  let cur: string[] | null = null;
  for (const line of text.split(/\r?\n/)) {
    const t = line.trimEnd();
    if (t === `--${boundary}` || t === `--${boundary}--`) {
      if (cur) parts.push(cur);
      if (t === `--${boundary}--`) return parts;
      cur = [];
      continue;
    }
    cur?.push(line);
  }
  // No closing delimiter: the service cannot read such a body either.
  throw badRequest("The batch body has no closing boundary delimiter.", "0x80048d19");
}

/** Headers up to the first empty line, then the rest. */
function headersAndRest(lines: string[]): { headers: Record<string, string>; rest: string[] } {
  const headers: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length && lines[i].trim() !== ""; i++) {
    const c = lines[i].indexOf(":");
    if (c > 0) headers[lines[i].slice(0, c).trim().toLowerCase()] = lines[i].slice(c + 1).trim();
  }
  return { headers, rest: lines.slice(i + 1) };
}

function parseHttpPart(lines: string[]): HttpPart {
  const outer = headersAndRest(lines);
  const [requestLine, ...after] = outer.rest;
  // Lenient about unencoded spaces in the URL: the request line ends at " HTTP/1.1".
  const m = /^([A-Z]+)\s+(.+?)(?:\s+HTTP\/1\.1)?\s*$/.exec(requestLine ?? "");
  if (!m) throw badRequest(`The batch part does not start with an HTTP request line: '${requestLine ?? ""}'.`, "0x80048d19");
  const inner = headersAndRest(after);
  return { contentId: outer.headers["content-id"], method: m[1], url: m[2], headers: inner.headers, body: inner.rest.join("\r\n").trim() };
}

function parseBatch(text: string, boundary: string): BatchItem[] {
  const items: BatchItem[] = [];
  for (const part of splitParts(text, boundary)) {
    const { headers, rest } = headersAndRest(part);
    const inner = boundaryOf(headers["content-type"]);
    if (inner) items.push({ kind: "changeset", reqs: splitParts(rest.join("\n"), inner).map(parseHttpPart) });
    else items.push({ kind: "request", req: parseHttpPart(part) });
  }
  const count = items.reduce((n, i) => n + (i.kind === "request" ? 1 : i.reqs.length), 0);
  if (count > MAX_REQUESTS) throw badRequest(`The batch contains ${count} requests; at most ${MAX_REQUESTS} are allowed.`);
  return items;
}

/** Replaces $<Content-ID> references (at the start of a URL, or as a whole JSON string value in a body). */
function resolveRefs(req: HttpPart, refs: Map<string, string>): HttpPart {
  const lookup = (id: string) => {
    const url = refs.get(id);
    if (!url) throw badRequest(`Content-ID Reference: '$${id}' does not exist in the batch context.`);
    return url;
  };
  const m = /^\$([\w-]+)(.*)$/.exec(req.url);
  const url = m ? lookup(m[1]) + m[2] : req.url;
  const body = req.body.replace(/"\$([\w-]+)"/g, (_, id: string) => JSON.stringify(lookup(id)));
  return { ...req, url, body };
}

function run(store: Store, base: string, req: HttpPart): Reply {
  const origin = base.slice(0, base.indexOf(API_PATH));
  const u = new URL(req.url.startsWith("/") ? origin + req.url : /^https?:/i.test(req.url) ? req.url : base + req.url);
  if (!u.pathname.startsWith(API_PATH)) return errorReply(new ODataError(404, "0x8006088a", `Resource not found for the segment '${u.pathname.split("/")[1] ?? ""}'.`));
  const path = decodeURIComponent(u.pathname.slice(API_PATH.length));
  return serveApiReply(store, { method: req.method, path, query: u.searchParams, headers: req.headers, text: req.body, base });
}

/** Everything a change set may change, to put back when one of its requests fails. */
function snapshot(store: Store): () => void {
  const version = store.version;
  const tables = [...store.tables.values()].map((t) => ({ t, overlay: new Map(t.overlay), log: t.log.length, created: t.created.length }));
  return () => {
    store.version = version;
    for (const s of tables) {
      s.t.overlay.clear();
      for (const [k, v] of s.overlay) s.t.overlay.set(k, v);
      s.t.log.length = s.log;
      s.t.created.length = s.created;
    }
  };
}

function responsePart(r: Reply, contentId?: string): string {
  const head = ["Content-Type: application/http", "Content-Transfer-Encoding: binary", ...(contentId ? [`Content-ID: ${contentId}`] : []), ""];
  const headers: Record<string, string> = { "OData-Version": "4.0", ...r.headers };
  const entity = headers["OData-EntityId"];
  if (entity && !headers.Location) headers.Location = entity;
  const lines = [`HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? ""}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), "", r.body ?? ""];
  return [...head, ...lines].join("\r\n") + "\r\n";
}

export function executeBatch(store: Store, base: string, headers: IncomingHttpHeaders, text: string): Reply {
  const boundary = boundaryOf(headers["content-type"]);
  if (!boundary) throw badRequest("A $batch request needs Content-Type: multipart/mixed with a boundary.", "0x80048d19");
  const items = parseBatch(text, boundary);
  const prefer = [headers.prefer ?? ""].flat().join(",");
  const continueOnError = /(^|,)\s*odata\.continue-on-error\s*(=\s*true)?\s*(,|$)/i.test(prefer);
  const outBoundary = `batchresponse_${randomUUID()}`;
  const out: string[] = [];
  let status = 200;
  for (const item of items) {
    if (item.kind === "request") {
      const r = run(store, base, item.req);
      out.push(responsePart(r, item.req.contentId));
      if (r.status >= 400 && !continueOnError) {
        status = r.status;
        break;
      }
      continue;
    }
    const restore = snapshot(store);
    const refs = new Map<string, string>();
    const parts: string[] = [];
    let failed: Reply | null = null;
    let failedId: string | undefined;
    for (const raw of item.reqs) {
      let r: Reply;
      if (raw.method === "GET") r = errorReply(badRequest("GET requests are not allowed in a change set."));
      else {
        try {
          r = run(store, base, resolveRefs(raw, refs));
        } catch (err) {
          if (!(err instanceof ODataError)) throw err;
          r = errorReply(err);
        }
      }
      if (r.status >= 400) {
        failed = r;
        failedId = raw.contentId;
        break;
      }
      if (raw.contentId && r.headers?.["OData-EntityId"]) refs.set(raw.contentId, r.headers["OData-EntityId"]);
      parts.push(responsePart(r, raw.contentId));
    }
    if (failed) {
      // Atomic: nothing of the change set stays; its answer is the one failure.
      restore();
      out.push(responsePart(failed, failedId));
      if (!continueOnError) {
        status = failed.status;
        break;
      }
      continue;
    }
    const cs = `changesetresponse_${randomUUID()}`;
    out.push(`Content-Type: multipart/mixed; boundary=${cs}\r\n\r\n${parts.map((p) => `--${cs}\r\n${p}`).join("")}--${cs}--\r\n`);
  }
  const body = out.map((p) => `--${outBoundary}\r\n${p}`).join("") + `--${outBoundary}--\r\n`;
  return { status, body, headers: { "content-type": `multipart/mixed; boundary=${outBoundary}` } };
}
