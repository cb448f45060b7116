/**
 * The library builds for a browser: esbuild bundles src/index.ts for `platform: "browser"` through
 * scripts/browser-core.js, which refuses any import of a Node built-in (issue #16 item 1). The bundle then
 * runs in a context that has no `require`, `process` or `Buffer`, converting a project held in memory.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import * as esbuild from "esbuild";
import { compose2bake, memoryFileSystem } from "../../src/index";
import { REPO } from "../support/run";

const { browserCore } = require("../../scripts/browser-core.js") as { browserCore: () => esbuild.Plugin };

function bundle(entry: string): Promise<esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] }> {
  return esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "browser",
    format: "iife",
    globalName: "compose2bake",
    target: "es2022",
    plugins: [browserCore()],
    logLevel: "silent",
  });
}

test("the core bundles for a browser without any Node built-in", async () => {
  const result = await bundle(path.join(REPO, "src", "index.ts"));
  expect(result.errors).toEqual([]);
  const text = result.outputFiles[0]!.text;
  // A browser-like context: the web's globals, none of Node's.
  const context = vm.createContext({ TextDecoder, TextEncoder, btoa, crypto: globalThis.crypto });
  vm.runInContext(`${text}\nglobalThis.lib = compose2bake;`, context);
  const lib = (context as { lib: typeof import("../../src/index") }).lib;
  const files = {
    "/p/compose.yaml": "services:\n  app:\n    build:\n      context: .\n      args:\n        V: ${V:-1}\n",
    "/p/.env": "V=2\n",
  };
  const kept = lib.compose2bake({ cwd: "/p", env: {}, fs: lib.memoryFileSystem(files), format: "hcl" });
  expect(kept.text).toContain('V = "${V == "" ? "1" : V}"');
  // The same text as the library gives on Node from the same files.
  expect(kept.text).toBe(compose2bake({ cwd: "/p", env: {}, fs: memoryFileSystem(files), format: "hcl" }).text);
  const resolved = lib.compose2bake({ cwd: "/p", env: {}, fs: lib.memoryFileSystem(files), variables: "resolve" });
  expect(JSON.parse(resolved.text).target.app.args).toEqual({ V: "2" });
});

test("the check fails on a module that imports a Node built-in", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-browser-"));
  try {
    const entry = path.join(dir, "entry.ts");
    fs.writeFileSync(entry, 'import * as fs from "node:fs";\nimport "path";\nexport const x = fs.existsSync("/");\n');
    await expect(bundle(entry)).rejects.toThrow(/imports Node's "node:fs"[\s\S]*imports Node's "path"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
