#!/usr/bin/env node
/**
 * Release bundle: src/cli.ts and everything it needs, dependencies included, in one file
 * (dist/compose2bake.cjs), so a run loads one script instead of ~100 modules (STYLE.md §7).
 * The HCL template is precompiled here, so only handlebars' small runtime is bundled, and it
 * is only evaluated when HCL is written (the template module is loaded lazily by src/bake/hcl.ts).
 * Development and tests use the TypeScript sources; `bin/compose2bake.js` prefers this bundle.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");
const Handlebars = require("handlebars");

const root = path.resolve(__dirname, "..");
const template = fs.readFileSync(path.join(root, "templates", "bake.hcl.hbs"), "utf8");
const precompiled = Handlebars.precompile(template, { noEscape: true, strict: true });

/** Resolves `./precompiled-hcl-template` (absent in the sources) to the precompiled template spec. */
const precompiledTemplate = {
  name: "precompiled-hcl-template",
  setup(build) {
    build.onResolve({ filter: /^\.\/precompiled-hcl-template$/ }, () => ({ path: "precompiled-hcl-template", namespace: "c2b" }));
    build.onLoad({ filter: /.*/, namespace: "c2b" }, () => ({ contents: `module.exports = ${precompiled};`, loader: "js" }));
    // The full handlebars compiler is never needed in the bundle: only its runtime.
    build.onResolve({ filter: /^handlebars$/ }, () => ({ path: require.resolve("handlebars/runtime") }));
  },
};

esbuild
  .build({
    entryPoints: [path.join(root, "src", "cli.ts")],
    outfile: path.join(root, "dist", "compose2bake.cjs"),
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    keepNames: false,
    legalComments: "linked",
    plugins: [precompiledTemplate],
    logLevel: "warning",
  })
  .catch(() => process.exit(1));
