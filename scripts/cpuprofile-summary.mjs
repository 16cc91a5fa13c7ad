// Self time per function from a V8 .cpuprofile (node --cpu-prof): where a bench's CPU went,
// including V8's "(garbage collector)", "(idle)" and "(program)" pseudo-frames.
//
//   node scripts/cpuprofile-summary.mjs <file.cpuprofile | dir (the biggest profile in it)> [--top 30]
import fs from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const topAt = args.indexOf("--top");
const top = topAt >= 0 ? Number(args[topAt + 1]) : 30;
let file = args.find((a, i) => !a.startsWith("--") && (topAt < 0 || i !== topAt + 1));
if (!file) {
  console.error("usage: node scripts/cpuprofile-summary.mjs <file.cpuprofile | dir> [--top 30]");
  process.exit(2);
}
if (fs.statSync(file).isDirectory()) {
  // A bench may re-run itself in a child (bench/worker-flags.ts): the child's profile is the big one.
  const files = fs.readdirSync(file).filter((f) => f.endsWith(".cpuprofile")).map((f) => path.join(file, f));
  file = files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
}
const prof = JSON.parse(fs.readFileSync(file, "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
// samples[i] was taken timeDeltas[i] µs after the previous one; charge each interval to its node.
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i] ?? 0;
  const n = byId.get(prof.samples[i]);
  const cf = n.callFrame;
  const where = cf.url ? `${cf.url.replace(/^file:\/\//, "").replace(process.cwd() + "/", "")}:${cf.lineNumber + 1}` : "";
  const key = `${cf.functionName || "(anonymous)"}${where ? ` ${where}` : ""}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
}
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]);
const ms = (us) => (us / 1000).toFixed(0).padStart(7);
const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5);
console.log(`${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled`);
for (const k of ["(garbage collector)", "(idle)", "(program)"]) console.log(`${ms(self.get(k) ?? 0)} ms ${pct(self.get(k) ?? 0)}%  ${k}`);
console.log("--- top self time");
for (const [k, us] of rows.slice(0, top)) console.log(`${ms(us)} ms ${pct(us)}%  ${k}`);
