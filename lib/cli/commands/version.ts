import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../config/paths";

export async function run(): Promise<number> {
  const pkgPath = path.join(projectRoot(), "package.json");
  const pkg = JSON.parse(fs.readFileSync(pkgPath, "utf8")) as { version: string };
  console.log(pkg.version);
  return 0;
}
