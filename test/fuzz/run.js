#!/usr/bin/env node
/**
 * `npm run fuzz` (`npm run sweep`: `run.js sweep.ts …`, test/fuzz/sweep.ts): bundles test/fuzz/main.ts, or the
 * entry named first, (and the sources it tests) with esbuild, already a devDependency,
 * into node_modules/.cache/ (so that the packages it imports resolve from node_modules), then runs it.
 */
"use strict";
const path = require("node:path");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..", "..");
const entry = process.argv[2]?.endsWith(".ts") ? process.argv.splice(2, 1)[0] : "main.ts";
// One file per process, so that two runs at once (say, one per mode) never read each other's half-written bundle.
const outfile = path.join(
  root,
  "node_modules",
  ".cache",
  "c2b-fuzz",
  `${path.basename(entry, ".ts")}-${process.pid}.cjs`,
);
esbuild.buildSync({
  entryPoints: [path.join(__dirname, entry)],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  packages: "external",
  // Only the HCL writer loads it, and only inside the release bundle (scripts/bundle.js).
  external: ["./precompiled-hcl-template"],
  logLevel: "warning",
});
// Found from the repository, not from the bundle's folder (test/support/realtools.ts looks next to its own file).
process.env.COMPOSE2BAKE_TOOLS_DIR ??= path.join(root, ".tools");
try {
  require(outfile);
} finally {
  require("node:fs").rmSync(outfile, { force: true });
}
