import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { nodeBundleOptions, root } from "../scripts/build-node.mjs";

// The benches that measure the engine compile themselves as dist/worker is compiled
// (bench/worker-flags.ts). A bundle that does not build, or whose child loads the compiler, would
// make their figures wrong or missing; CI does not run the benches themselves.
const out = path.join(root, ".bench-dist", `test-${process.pid}`);
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe("benches compiled as the worker is", () => {
  it.each(["lake", "sync", "write"])("bench/%s.ts bundles, and its entry does not load esbuild or the build script", async (name) => {
    const dir = path.join(out, name);
    const r = await build({ ...nodeBundleOptions({ [name]: path.join(root, "bench", `${name}.ts`) }, dir), metafile: true });
    const entry = Object.entries(r.metafile.outputs).find(([file]) => file.endsWith(`${name}.mjs`));
    expect(entry).toBeDefined();
    const staticImports = entry![1].imports.filter((i) => i.kind === "import-statement").map((i) => i.path);
    expect(Object.keys(entry![1].inputs)).toContain(`bench/${name}.ts`);
    expect(staticImports).not.toContain("esbuild");
    // The build script is our code, bundled: only as a lazily imported chunk.
    expect(Object.keys(entry![1].inputs).some((f) => f.endsWith("build-node.mjs"))).toBe(false);
  }, 60_000);
});
