#!/usr/bin/env node
"use strict";
// Thin stub: all behaviour lives in the library. Prefer the single-file release bundle
// (dist/compose2bake.cjs, built by scripts/bundle.js) with its code cache; fall back to tsc's output.
const path = require("node:path");
let cli;
try {
  cli = require("./load-bundle.js").loadBundle(path.join(__dirname, "..", "dist", "compose2bake.cjs")).exports;
} catch (e) {
  if (e && e.code !== "ENOENT") throw e;
  cli = require("../dist/src/cli/main.js");
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
