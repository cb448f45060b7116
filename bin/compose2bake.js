#!/usr/bin/env node
"use strict";
// Thin stub: all behaviour lives in the library. Prefer the single-file release bundle
// (dist/compose2bake.cjs, built by scripts/bundle.js); fall back to tsc's output.
let cli;
try {
  cli = require("../dist/compose2bake.cjs");
} catch (e) {
  if (e && e.code !== "MODULE_NOT_FOUND") throw e;
  cli = require("../dist/src/cli.js");
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
