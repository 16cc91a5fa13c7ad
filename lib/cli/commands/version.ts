import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export async function run(): Promise<number> {
  const pkgPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../package.json");
  const pkg = JSON.parse(fs.readFileSync(pkgPath, "utf8")) as { version: string };
  console.log(pkg.version);
  return 0;
}
