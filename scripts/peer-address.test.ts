// The web server's preload: route handlers get the socket's address, never the client's claim.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const server = `
import http from "node:http";
const s = http.createServer((req, res) => res.end(String(req.headers["x-dx-peer-address"])));
s.listen(0, "127.0.0.1", async () => {
  const r = await fetch("http://127.0.0.1:" + s.address().port + "/", { headers: { "x-dx-peer-address": "6.6.6.6" } });
  console.log(await r.text());
  s.close();
});`;

describe("scripts/peer-address.mjs", () => {
  it("replaces a client-sent peer address with the socket's", () => {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", server], {
      cwd: root,
      encoding: "utf8",
      // How npm start loads it into the web server (next dev forks, keeping only NODE_OPTIONS).
      env: { ...process.env, NODE_OPTIONS: "--import=./scripts/peer-address.mjs" },
    });
    expect(out.trim()).toBe("127.0.0.1");
  });
});
