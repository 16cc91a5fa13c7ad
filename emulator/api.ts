// One Web API request (no auth, faults or delays: the router applies those once per HTTP request,
// so a $batch counts once), shared by the router and the parts of a $batch.
import type { IncomingHttpHeaders } from "node:http";
import { handleData, type Reply } from "./data-routes.ts";
import { metadataGet } from "./metadata-routes.ts";
import { ODataError, badPayload, errorBody, noHttpResource, parsePrefer } from "./odata.ts";
import { csdl } from "./service-documents.ts";
import type { Store } from "./store.ts";

export interface ApiRequest {
  method: string;
  /** Path relative to the service root, decoded (e.g. `accounts(…)`). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Raw body text (empty when none). */
  text: string;
  /** Service root URL ending in `/api/data/v9.2/`. */
  base: string;
}

/** Functions are GET only; another method finds no HTTP resource, as on the service. */
const FUNCTION = /^(WhoAmI|RetrieveVersion|RetrieveTotalRecordCount)(\(|$)/;

export function parseJsonBody(text: string, segment: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badPayload(segment, `Microsoft.OData.ODataException: ${(err as Error).message}`);
  }
}

export function serveApi(store: Store, r: ApiRequest): Reply {
  if (r.method !== "GET" && FUNCTION.test(r.path)) throw noHttpResource(`${r.base}${r.path}`);
  const body = parseJsonBody(r.text, r.path.split(/[/(]/)[0]);
  if (r.method === "GET" && r.path === "$metadata") return { status: 200, body: csdl(store), headers: { "content-type": "application/xml" } };
  if (r.method === "GET") {
    const meta = metadataGet(store, r.base, r.path, r.query);
    if (meta) return { status: 200, body: JSON.stringify(meta), headers: { "content-type": "application/json; odata.metadata=minimal" } };
  }
  return handleData(store, { method: r.method, base: r.base, path: r.path, query: r.query, prefer: parsePrefer(r.headers.prefer), headers: r.headers, body });
}

/** serveApi, with errors turned into the service's error replies. */
export function serveApiReply(store: Store, r: ApiRequest): Reply {
  try {
    return serveApi(store, r);
  } catch (err) {
    if (!(err instanceof ODataError)) throw err;
    return errorReply(err);
  }
}

export function errorReply(err: ODataError): Reply {
  return { status: err.status, body: errorBody(err.code, err.message), headers: { "content-type": "application/json; odata.metadata=minimal", ...err.headers } };
}
