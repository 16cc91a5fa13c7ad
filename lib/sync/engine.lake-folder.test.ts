// The engine into a data lake in a local folder (lake:PATH).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { lakeEngineSuite } from "./lake-engine-suite";

lakeEngineSuite("sync engine → data lake in a folder", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-lake-"));
  return {
    make: async (name) => `lake:${path.join(root, name)}`,
    close: async () => fs.rmSync(root, { recursive: true, force: true }),
  };
});
