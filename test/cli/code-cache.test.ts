/**
 * The release bundle's code cache (bin/load-bundle.js, scripts/code-cache.js): used when it was recorded for this
 * very bundle, never handed to V8 otherwise (V8 only compares the source's length).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO } from "../support/run";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadBundle, BUNDLE_ID } = require(path.join(REPO, "bin", "load-bundle.js")) as {
  loadBundle: (file: string) => { exports: { main: unknown }; script: { cachedDataRejected?: boolean } };
  BUNDLE_ID: RegExp;
};

const BUNDLE = path.join(REPO, "dist", "compose2bake.cjs");

function copyBundle(cache: (original: Buffer) => Buffer | undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-cache-"));
  const file = path.join(dir, "compose2bake.cjs");
  fs.copyFileSync(BUNDLE, file);
  const data = cache(fs.readFileSync(`${BUNDLE}.cache`));
  if (data) fs.writeFileSync(`${file}.cache`, data);
  return file;
}

test("the build writes a bundle that names itself and a cache recorded for that name", () => {
  const id = BUNDLE_ID.exec(fs.readFileSync(BUNDLE, "utf8"))![1]!;
  expect(fs.readFileSync(`${BUNDLE}.cache`).subarray(0, id.length + 1).toString()).toBe(`${id}\n`);
  const loaded = loadBundle(copyBundle((c) => c));
  expect(loaded.script.cachedDataRejected).toBe(false);
  expect(typeof loaded.exports.main).toBe("function");
});

test("a cache recorded for another bundle is not handed to V8; the bundle still loads", () => {
  const loaded = loadBundle(copyBundle((c) => Buffer.concat([Buffer.from("0".repeat(32)), c.subarray(32)])));
  expect(loaded.script.cachedDataRejected).toBeUndefined();
  expect(typeof loaded.exports.main).toBe("function");
});

test("no cache, or a truncated one: the bundle compiles as usual", () => {
  expect(typeof loadBundle(copyBundle(() => undefined)).exports.main).toBe("function");
  const truncated = loadBundle(copyBundle((c) => c.subarray(0, 100)));
  expect(truncated.script.cachedDataRejected).toBe(true);
  expect(typeof truncated.exports.main).toBe("function");
});
