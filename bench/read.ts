// Read benchmark: 200,000 accounts through DataverseClient.readChanges vs plain fetch + JSON.parse
// of the same pages, plus the emulator's raw serving rate (bytes only, no parsing).
// The emulator runs in a child process (the CLI), so server and client do not share one event loop.
// Usage: npx tsx bench/read.ts [--records N] [--rounds R]
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DataverseClient } from "../lib/dataverse/client.ts";

const { values } = parseArgs({ options: { records: { type: "string" }, rounds: { type: "string" } } });
const records = Number(values.records ?? 200_000);
const rounds = Number(values.rounds ?? 2);
const PAGE = 5000;
const SELECT = ["name", "accountnumber", "revenue", "numberofemployees", "statecode", "statuscode", "parentaccountid", "primarycontactid", "ownerid", "createdon", "modifiedon", "versionnumber", "cr0a1_region", "creditonhold"];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const child = spawn(process.execPath, [path.join(root, "bin/dataverse-export.mjs"), "emulator", "--port", "0", "--records", String(records)], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise<string>((resolve, reject) => {
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    const m = /listening: (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
});
const token = "emulator-token";

try {
  const client = new DataverseClient({ url, token });
  const account = (await client.getTableSchema("account")).table;
  const webSelect = SELECT.map((s) => (["parentaccountid", "primarycontactid", "ownerid"].includes(s) ? `_${s}_value` : s)).concat("accountid").join(",");
  const headers = {
    Authorization: `Bearer ${token}`, Accept: "application/json", "OData-MaxVersion": "4.0", "OData-Version": "4.0",
    Prefer: `odata.track-changes,odata.maxpagesize=${PAGE},odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"`,
  };

  async function viaClient(): Promise<number> {
    let n = 0;
    for await (const p of client.readChanges(account, { select: SELECT, pageSize: PAGE })) n += p.upserts.length;
    return n;
  }
  async function viaFetch(parse: boolean): Promise<number> {
    let n = 0;
    let next: string | undefined = `${url}/api/data/v9.2/accounts?$select=${webSelect}`;
    while (next) {
      const res = await fetch(next, { headers });
      const text = await res.text();
      if (parse) {
        const page = JSON.parse(text) as { value: unknown[]; "@odata.nextLink"?: string };
        n += page.value.length;
        next = page["@odata.nextLink"];
      } else {
        // Raw rate: find the next link without parsing the page.
        n += PAGE;
        next = /"@odata.nextLink":"([^"]+)"/.exec(text.slice(-400))?.[1];
      }
    }
    return parse ? n : Math.min(n, records);
  }
  async function time(label: string, fn: () => Promise<number>): Promise<number> {
    let best = 0;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      const n = await fn();
      const rate = n / ((performance.now() - t0) / 1000);
      if (n !== records) throw new Error(`${label}: read ${n} records, expected ${records}`);
      best = Math.max(best, rate);
    }
    console.log(`${label.padEnd(34)} ${Math.round(best).toLocaleString("en-US").padStart(10)} records/s`);
    return best;
  }

  await viaFetch(true); // warm-up: JIT on both sides
  console.log(`reading ${records.toLocaleString("en-US")} accounts, ${SELECT.length} columns, pages of ${PAGE}, best of ${rounds}`);
  const raw = await time("emulator raw serving (no parse)", () => viaFetch(false));
  const plain = await time("plain fetch + JSON.parse", () => viaFetch(true));
  const viaC = await time("DataverseClient.readChanges", viaClient);
  console.log(`ratio client / plain: ${(viaC / plain).toFixed(2)} (target >= 0.8); emulator: ${raw >= 50_000 ? "meets" : "BELOW"} 50,000 records/s`);
} finally {
  child.kill("SIGTERM");
}
