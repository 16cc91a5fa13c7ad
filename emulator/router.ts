// One request: bearer check, control endpoints, injected faults and delays, then the Web API.
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleControl, type Controls } from "./control-routes.ts";
import { parseJsonBody, serveApi } from "./api.ts";
import { executeBatch } from "./batch.ts";
import type { Reply } from "./data-routes.ts";
import { ODataError, errorBody, notFoundSegment } from "./odata.ts";

export const API_ROOT = "/api/data/v9.2/";
export const CONTROL_ROOT = "/_emulator/";

const COMMON = { "OData-Version": "4.0" };

function send(res: ServerResponse, r: Reply): void {
  const headers: Record<string, string> = { ...COMMON, ...r.headers };
  // Encode once: byteLength + end(string) would walk a multi-megabyte page twice.
  const body = r.body === undefined ? undefined : Buffer.from(r.body, "utf8");
  if (body) headers["content-length"] = String(body.length);
  res.writeHead(r.status, headers);
  res.end(body);
}

function sendError(res: ServerResponse, err: ODataError): void {
  send(res, { status: err.status, body: errorBody(err.code, err.message), headers: { "content-type": "application/json; odata.metadata=minimal", ...err.headers } });
}

async function readText(req: IncomingMessage): Promise<string> {
  if (req.method === "GET" || req.method === "HEAD") return "";
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createHandler(c: Controls, token: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const path = url.pathname;
      const method = req.method ?? "GET";
      if (path === "/" && method === "GET") {
        return send(res, { status: 200, body: "Dataverse emulator: Web API at /api/data/v9.2/, controls at /_emulator/\n", headers: { "content-type": "text/plain" } });
      }
      if (req.headers.authorization !== `Bearer ${token}`) {
        // The service answers 401 with an empty body and a WWW-Authenticate challenge.
        return send(res, { status: 401, headers: { "WWW-Authenticate": `Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, resource_id=http://${req.headers.host}/` } });
      }
      if (path.startsWith(CONTROL_ROOT)) {
        const result = handleControl(c, method, path.slice(CONTROL_ROOT.length), parseJsonBody(await readText(req), "_emulator"));
        return send(res, { status: 200, body: JSON.stringify(result), headers: { "content-type": "application/json" } });
      }
      if (!path.startsWith(API_ROOT)) throw notFoundSegment(path.split("/")[1] ?? "");
      c.requests++;
      if (c.fault && c.fault.remaining > 0) {
        const f = c.fault;
        if (--f.remaining === 0) c.fault = null;
        if (f.status === 0) {
          res.socket?.destroy();
          return;
        }
        if (f.status === 429) {
          throw new ODataError(429, "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.", { "Retry-After": String(f.retryAfterSeconds) });
        }
        throw new ODataError(f.status, "0x80040216", "The service is temporarily unavailable. Try again later.");
      }
      if (c.slowMs > 0) await sleep(c.slowMs);
      const rel = decodeURIComponent(path.slice(API_ROOT.length));
      const base = `http://${req.headers.host}${API_ROOT}`;
      const text = await readText(req);
      if (rel === "$batch" && method === "POST") return send(res, executeBatch(c.store, base, req.headers, text));
      send(res, serveApi(c.store, { method, path: rel, query: url.searchParams, headers: req.headers, text, base }));
    } catch (err) {
      if (err instanceof ODataError) return sendError(res, err);
      console.error("[emulator]", err);
      sendError(res, new ODataError(500, "0x80040216", `Unexpected error in the emulator: ${(err as Error).message}`));
    }
  };
}
