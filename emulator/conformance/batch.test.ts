// $batch, from "Execute batch operations using the Web API": multipart/mixed bodies of
// application/http requests run in order with responses in the same order; GETs in a batch (long
// URLs); change sets are atomic, hold no GET and may reference earlier creates as $<Content-ID>;
// without Prefer: odata.continue-on-error the batch stops at the first error and answers its status.
import { describe, expect, it } from "vitest";
import { useEmulator, type Harness } from "./harness.ts";

const h = useEmulator(200, 8);
const CRLF = "\r\n";

type Req = { method: string; url: string; body?: unknown; headers?: Record<string, string>; id?: string };

function httpPart(r: Req): string {
  const lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary", ...(r.id ? [`Content-ID: ${r.id}`] : []), ""];
  lines.push(`${r.method} ${r.url} HTTP/1.1`);
  if (r.body !== undefined) lines.push("Content-Type: application/json; type=entry");
  for (const [k, v] of Object.entries(r.headers ?? {})) lines.push(`${k}: ${v}`);
  lines.push("", r.body === undefined ? "" : JSON.stringify(r.body, null, 2));
  return lines.join(CRLF);
}

/** A batch body; an array item is a change set. */
function batchBody(boundary: string, items: (Req | Req[])[]): string {
  let out = "";
  items.forEach((item, i) => {
    if (Array.isArray(item)) {
      const cs = `changeset_${i}_${boundary}`;
      out += `--${boundary}${CRLF}Content-Type: multipart/mixed; boundary="${cs}"${CRLF}${CRLF}`;
      for (const r of item) out += `--${cs}${CRLF}${httpPart(r)}${CRLF}`;
      out += `--${cs}--${CRLF}${CRLF}`;
    } else out += `--${boundary}${CRLF}${httpPart(item)}${CRLF}`;
  });
  return out + `--${boundary}--${CRLF}`;
}

interface PartAnswer { status: number; headers: Record<string, string>; json: any; contentId?: string; changeset?: PartAnswer[] }

/** Parses a multipart/mixed batch response (nested change set responses included). */
function parseMultipart(contentType: string, text: string): PartAnswer[] {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)![1];
  const chunks = text.split(`--${boundary}`).slice(1, -1);
  return chunks.map((chunk) => {
    const body = chunk.replace(/^\r\n/, "");
    const [head, ...restParts] = body.split(`${CRLF}${CRLF}`);
    const rest = restParts.join(CRLF + CRLF);
    const headers = Object.fromEntries(head.split(CRLF).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
    if (/^multipart\/mixed/.test(headers["content-type"])) return { status: 0, headers, json: null, changeset: parseMultipart(headers["content-type"], rest) };
    const [httpHead, ...bodyParts] = rest.split(`${CRLF}${CRLF}`);
    const [statusLine, ...hl] = httpHead.split(CRLF);
    const httpHeaders = Object.fromEntries(hl.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
    const b = bodyParts.join(CRLF + CRLF).trim();
    return { status: Number(statusLine.split(" ")[1]), headers: httpHeaders, json: b ? JSON.parse(b) : null, contentId: headers["content-id"] };
  });
}

async function batch(hh: Harness, items: (Req | Req[])[], extra: Record<string, string> = {}) {
  const boundary = `batch_${Math.random().toString(16).slice(2)}`;
  const r = await hh.send("POST", "$batch", batchBody(boundary, items), { "Content-Type": `multipart/mixed; boundary="${boundary}"`, ...extra });
  expect(r.headers.get("content-type")).toMatch(/^multipart\/mixed; ?boundary=/);
  return { status: r.status, parts: parseMultipart(r.headers.get("content-type")!, r.text) };
}

const api = "/api/data/v9.2/";

describe("$batch (Web API: Execute batch operations)", () => {
  it("runs GET requests in order and answers each in its own application/http part", async () => {
    const long = `accounts?$select=name&$filter=${Array.from({ length: 300 }, (_, i) => `name eq 'nope ${i}'`).join(" or ")} or startswith(name,'a')`;
    const { status, parts } = await batch(h, [
      { method: "GET", url: `${api}contacts?$select=fullname&$top=3` },
      { method: "GET", url: `${api}${long}` },
      { method: "GET", url: `${h.api}WhoAmI` },
      { method: "GET", url: `${api}leads?$select=subject`, headers: { Prefer: "odata.maxpagesize=2" } },
    ]);
    expect(status).toBe(200);
    expect(parts.map((p) => p.status)).toEqual([200, 200, 200, 200]);
    expect(parts[0].json.value).toHaveLength(3);
    expect(parts[1].json.value.every((a: { name: string }) => a.name.toLowerCase().startsWith("a"))).toBe(true);
    expect(parts[2].json.UserId).toBeDefined();
    expect(parts[3].json.value).toHaveLength(2);
    expect(parts[3].json["@odata.nextLink"]).toBeDefined();
  });

  it("creates records outside change sets: 204 with Location and OData-EntityId per request", async () => {
    const { status, parts } = await batch(h, [
      { method: "POST", url: `${api}cr0a1_projects`, body: { cr0a1_name: "Batch 1" } },
      { method: "POST", url: `${h.api}cr0a1_projects`, body: { cr0a1_name: "Batch 2" } },
    ]);
    expect(status).toBe(200);
    for (const p of parts) {
      expect(p.status).toBe(204);
      expect(p.headers["odata-entityid"]).toMatch(/cr0a1_projects\([0-9a-f-]{36}\)$/);
      expect(p.headers.location).toBe(p.headers["odata-entityid"]);
      const got = await h.get(`${p.headers["odata-entityid"]}?$select=cr0a1_name`);
      expect(got.json.cr0a1_name).toMatch(/^Batch [12]$/);
    }
  });

  it("runs a change set with Content-ID references in bodies and URLs, answering Content-IDs", async () => {
    const { status, parts } = await batch(h, [[
      { id: "1", method: "POST", url: `${api}accounts`, body: { name: "Account in change set" } },
      { id: "2", method: "POST", url: `${api}contacts`, body: { firstname: "Contact", lastname: "In change set" } },
      { id: "3", method: "PATCH", url: "$1", body: { "primarycontactid@odata.bind": "$2" } },
    ]]);
    expect(status).toBe(200);
    const cs = parts[0].changeset!;
    expect(cs.map((p) => [p.contentId, p.status])).toEqual([["1", 204], ["2", 204], ["3", 204]]);
    const account = await h.get(`${cs[0].headers["odata-entityid"]}?$select=name,_primarycontactid_value`);
    expect(cs[1].headers["odata-entityid"]).toContain(`contacts(${account.json._primarycontactid_value})`);
  });

  it("rolls the whole change set back when one request fails", async () => {
    const before = (await h.get("accounts/$count")).text;
    const { status, parts } = await batch(h, [[
      { id: "1", method: "POST", url: `${api}accounts`, body: { name: "Should vanish" } },
      { id: "2", method: "POST", url: `${api}accounts`, body: { name: "x".repeat(161) } },
    ]]);
    expect(status).toBe(400);
    expect(parts).toHaveLength(1);
    expect(parts[0].json.error.code).toBe("0x80044331");
    expect((await h.get("accounts/$count")).text).toBe(before);
    expect((await h.get("accounts?$select=name&$filter=name eq 'Should vanish'")).json.value).toEqual([]);
  });

  it("refuses GET inside a change set", async () => {
    const { status, parts } = await batch(h, [[{ method: "GET", url: `${api}accounts?$top=1` }]]);
    expect(status).toBe(400);
    expect(parts[0].status).toBe(400);
  });

  it("answers 400 for a Content-ID referenced before it is declared", async () => {
    const { status, parts } = await batch(h, [[
      { id: "2", method: "POST", url: `${api}contacts`, body: { lastname: "ref", "parentcustomerid_account@odata.bind": "$1" } },
      { id: "1", method: "POST", url: `${api}accounts`, body: { name: "QQQQ" } },
    ]]);
    expect(status).toBe(400);
    expect(parts[0].json.error.message).toBe("Content-ID Reference: '$1' does not exist in the batch context.");
  });

  it("stops at the first error without odata.continue-on-error, and goes on with it", async () => {
    const items: Req[] = [
      { method: "POST", url: `${api}cr0a1_projects`, body: { cr0a1_name: "x".repeat(101) } },
      { method: "POST", url: `${api}cr0a1_projects`, body: { cr0a1_name: "After the error" } },
    ];
    const stopped = await batch(h, items);
    expect(stopped.status).toBe(400);
    expect(stopped.parts).toHaveLength(1);
    expect(stopped.parts[0].json.error.code).toBe("0x80044331");
    expect((await h.get("cr0a1_projects?$select=cr0a1_name&$filter=cr0a1_name eq 'After the error'")).json.value).toEqual([]);
    const went = await batch(h, items, { Prefer: "odata.continue-on-error" });
    expect(went.status).toBe(200);
    expect(went.parts.map((p) => p.status)).toEqual([400, 204]);
    expect((await h.get("cr0a1_projects?$select=cr0a1_name&$filter=cr0a1_name eq 'After the error'")).json.value).toHaveLength(1);
  });

  it("makes batch writes visible to change tracking like any other write", async () => {
    const start = await h.get("leads?$select=subject", { Prefer: "odata.track-changes" });
    let link: string = start.json["@odata.nextLink"] ?? start.json["@odata.deltaLink"];
    while (link.includes("$skiptoken")) {
      const p = await h.get(link, { Prefer: "odata.track-changes" });
      link = p.json["@odata.nextLink"] ?? p.json["@odata.deltaLink"];
    }
    const { parts } = await batch(h, [[{ method: "POST", url: `${api}leads`, body: { subject: "From a batch" } }]]);
    const id = /leads\(([0-9a-f-]{36})\)/.exec(parts[0].changeset![0].headers["odata-entityid"])![1];
    const delta = await h.get(link, { Prefer: "odata.track-changes" });
    expect(delta.json.value.map((r: { leadid: string }) => r.leadid)).toContain(id);
  });
});
