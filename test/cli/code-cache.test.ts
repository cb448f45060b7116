/**
 * The release bundle's code cache (bin/load-bundle.js, scripts/code-cache.js): used when it was recorded for this
 * very bundle, never handed to V8 otherwise (V8 only compares the source's length).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO } from "../support/run";

const { BUNDLE_ID } = require(path.join(REPO, "bin", "load-bundle.js")) as { BUNDLE_ID: RegExp };

/**
 * Loads the bundle in a fresh Node process: V8 rejects a cache made under other flags, and a jest worker may
 * have changed its own (collect-garbage.test.ts sets --expose-gc).
 */
function loadBundle(file: string): { exports: { main: string }; script: { cachedDataRejected?: boolean } } {
  const code =
    `const r = require(${JSON.stringify(path.join(REPO, "bin", "load-bundle.js"))}).loadBundle(${JSON.stringify(file)});` +
    "process.stdout.write(JSON.stringify({ exports: { main: typeof r.exports.main }, script: { cachedDataRejected: r.script.cachedDataRejected } }));";
  return JSON.parse(execFileSync(process.execPath, ["-e", code], { encoding: "utf8" })) as ReturnType<
    typeof loadBundle
  >;
}

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
  expect(
    fs
      .readFileSync(`${BUNDLE}.cache`)
      .subarray(0, id.length + 1)
      .toString(),
  ).toBe(`${id}\n`);
  const loaded = loadBundle(copyBundle((c) => c));
  expect(loaded.script.cachedDataRejected).toBe(false);
  expect(loaded.exports.main).toBe("function");
});

test("a cache recorded for another bundle is not handed to V8; the bundle still loads", () => {
  const loaded = loadBundle(copyBundle((c) => Buffer.concat([Buffer.from("0".repeat(32)), c.subarray(32)])));
  expect(loaded.script.cachedDataRejected).toBeUndefined();
  expect(loaded.exports.main).toBe("function");
});

test("no cache, or a truncated one: the bundle compiles as usual", () => {
  expect(loadBundle(copyBundle(() => undefined)).exports.main).toBe("function");
  const truncated = loadBundle(copyBundle((c) => c.subarray(0, 100)));
  expect(truncated.script.cachedDataRejected).toBe(true);
  expect(truncated.exports.main).toBe("function");
});

test("a typical run compiles nothing the cache does not hold, the schema validator included", () => {
  // A project like the benchmark's: were any function it calls missing from the cache (a validator branch the
  // warm-up never reached, say), V8 would compile it during the run and the script's cache would grow.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-cache-run-"));
  fs.writeFileSync(
    path.join(dir, "compose.yaml"),
    [
      "x-build: &build",
      "  args: &args",
      '    NODE_VERSION: "20"',
      "    APP_ENV: ${APP_ENV:-production}",
      "  secrets: [npm_token]",
      "  ssh: [default]",
      "services:",
      "  base:",
      "    image: registry.example.com/base:${TAG:-latest}",
      "    build:",
      "      <<: *build",
      "      context: ./base",
      "  app:",
      "    build:",
      "      <<: *build",
      "      context: ./app",
      "      args:",
      "        <<: *args",
      "        SERVICE: app",
      "      additional_contexts:",
      "        base: service:base",
      '      cache_from: ["type=registry,ref=registry.example.com/cache:app"]',
      "secrets:",
      "  npm_token:",
      "    file: ./npm_token.txt",
      "",
    ].join("\n"),
  );
  fs.writeFileSync(path.join(dir, "npm_token.txt"), "not-a-token\n");
  for (const args of [[], ["--format", "hcl"]]) {
    const code =
      `const { exports: cli, script } = require(${JSON.stringify(path.join(REPO, "bin", "load-bundle.js"))}).loadBundle(${JSON.stringify(BUNDLE)});` +
      "const before = script.createCachedData().length;" +
      `cli.main(${JSON.stringify(args)}, { cwd: ${JSON.stringify(dir)}, env: {}, stdout: () => {}, stderr: (t) => process.stderr.write(t) })` +
      ".then((status) => process.stdout.write(JSON.stringify({ status, rejected: script.cachedDataRejected, before, after: script.createCachedData().length })));";
    const r = JSON.parse(execFileSync(process.execPath, ["-e", code], { encoding: "utf8" })) as {
      status: number;
      rejected: boolean;
      before: number;
      after: number;
    };
    expect(r.status).toBe(0);
    expect(r.rejected).toBe(false);
    // A few bytes of slack for V8's bookkeeping; one function compiled during the run adds hundreds.
    expect(r.after - r.before).toBeLessThan(200);
  }
});

test("the bundle is also a plain CommonJS module, as bin/compose2bake.js require()s it under Node's compile cache", () => {
  const code = `process.stdout.write(typeof require(${JSON.stringify(BUNDLE)}).main);`;
  expect(execFileSync(process.execPath, ["-e", code], { encoding: "utf8" })).toBe("function");
});

test("where Node has module.enableCompileCache (>= 22.1), the bin turns it on and runs the bundle with it", () => {
  // This machine may run Node 20: a preloaded stand-in for the function records that the bin called it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-compile-cache-"));
  const preload = path.join(dir, "preload.js");
  fs.writeFileSync(
    preload,
    'const m = require("node:module"); m.enableCompileCache = () => { process.stderr.write("enableCompileCache called\\n"); return { status: 0 }; };\n',
  );
  fs.writeFileSync(path.join(dir, "compose.yaml"), "services:\n  web:\n    build: .\n");
  const r = spawnSync(process.execPath, ["-r", preload, path.join(REPO, "bin", "compose2bake.js"), "--resolve"], {
    cwd: dir,
    encoding: "utf8",
  });
  expect(r.stderr).toBe("enableCompileCache called\n");
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ target: { web: { context: "." } } });
});
