#!/usr/bin/env node
"use strict";
// Thin stub: all behaviour lives in the library. Prefer the single-file release bundle
// (dist/compose2bake.cjs, built by scripts/bundle.js); fall back to tsc's output.
const path = require("node:path");
const { enableCompileCache } = require("node:module");
const bundle = path.join(__dirname, "..", "dist", "compose2bake.cjs");
let cli;
try {
  if (typeof enableCompileCache === "function") {
    // Node >= 22.1: its own on-disk compile cache, kept per machine and Node version.
    enableCompileCache();
    cli = require(bundle);
  } else {
    // Node 20: the V8 code cache recorded at build time (bin/load-bundle.js).
    cli = require("./load-bundle.js").loadBundle(bundle).exports;
  }
} catch (e) {
  const missing = e && (e.code === "ENOENT" || (e.code === "MODULE_NOT_FOUND" && String(e.message).includes(bundle)));
  if (!missing) throw e;
  cli = require("../dist/src/cli/main.js");
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Everything was written with writeSync: end now rather than let Node free the whole V8 heap and join its
  // threads on the way out. Output still queued on a stream (stdout.ts) is written first, as usual.
  if (typeof cli.outputFlushed === "function" && cli.outputFlushed()) process.exit(code);
});
