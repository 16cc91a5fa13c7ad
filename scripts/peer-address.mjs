// Loaded into the web server process (`node --import ./scripts/peer-address.mjs …next start`):
// Next.js gives route handlers no socket address, so each request gets it as a header, set here
// from the socket and overwriting whatever the client sent (lib/auth/client-ip.ts reads it).
import http from "node:http";

const HEADER = "x-dx-peer-address";
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, ...rest) {
  if (event === "request" && req?.headers) req.headers[HEADER] = req.socket?.remoteAddress ?? "";
  return emit.call(this, event, req, ...rest);
};
