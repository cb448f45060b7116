#!/usr/bin/env node
/**
 * Release bundle: src/cli/main.ts and everything it needs, dependencies included, in one file
 * (dist/compose2bake.cjs), so a run loads one script instead of ~100 modules (STYLE.md §7).
 * The HCL template is precompiled here, so only handlebars' small runtime is bundled, and it
 * is only evaluated when HCL is written (the template module is loaded lazily by src/bake/hcl.ts).
 * Development and tests use the TypeScript sources; `bin/compose2bake.js` prefers this bundle, with the
 * V8 code cache that scripts/code-cache.js records next to it.
 */
"use strict";
const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const { wrap } = require("node:module");
const path = require("node:path");
const esbuild = require("esbuild");
const Handlebars = require("handlebars");
const { HOOKED_FILES, withoutDebugHook } = require("./yaml-debug-hooks");

const root = path.resolve(__dirname, "..");
const template = fs.readFileSync(path.join(root, "templates", "bake.hcl.hbs"), "utf8");
const precompiled = Handlebars.precompile(template, { noEscape: true, strict: true });

const yamlDist = path.dirname(require.resolve("yaml", { paths: [root] }));
const yamlParseModule = [
  `exports.CST = require(${JSON.stringify(path.join(yamlDist, "parse", "cst.js"))});`,
  `exports.Lexer = require(${JSON.stringify(path.join(yamlDist, "parse", "lexer.js"))}).Lexer;`,
  `exports.Parser = require(${JSON.stringify(path.join(yamlDist, "parse", "parser.js"))}).Parser;`,
].join("\n");
const yamlLazyModule = [
  "let yaml;",
  `const load = () => (yaml ??= require(${JSON.stringify(path.join(yamlDist, "index.js"))}));`,
  `for (const name of ${JSON.stringify(Object.keys(require(path.join(yamlDist, "index.js"))))})`,
  "  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });",
].join("\n");

/** Resolves `./precompiled-hcl-template` (absent in the sources) to the precompiled template spec. */
const precompiledTemplate = {
  name: "precompiled-hcl-template",
  setup(build) {
    build.onResolve({ filter: /^\.\/precompiled-hcl-template$/ }, () => ({
      path: "precompiled-hcl-template",
      namespace: "c2b",
    }));
    build.onLoad({ filter: /.*/, namespace: "c2b" }, () => ({
      contents: `module.exports = ${precompiled};`,
      loader: "js",
    }));
    // Node's own modules, imported as namespaces (`import * as fs from "node:fs"`) in two dozen places: esbuild
    // gives each importer its own copy of the module's properties (__toESM), about 0.3 ms per copy of node:fs
    // on every run. Routed through one ES module per built-in that re-exports it, they are copied once.
    build.onResolve({ filter: /^(node:)?(fs|path)$/ }, (args) =>
      args.namespace === "c2b-builtin"
        ? undefined
        : { path: args.path.replace(/^node:/, ""), namespace: "c2b-builtin" },
    );
    build.onLoad({ filter: /.*/, namespace: "c2b-builtin" }, (args) => ({
      contents: `export * from "node:${args.path}";`,
      loader: "js",
    }));
    // The `yaml` package's index builds its whole module graph (Document, composer, schemas, stringifiers) when
    // loaded, and a usual run needs only its CST Parser and Lexer (src/compose/yaml/cst.ts, limits.ts): those two
    // importers get the parse modules alone, and every other importer (the Document path, taken for files the CST
    // path gives up on, and schema error places) gets the index through getters that load it on first use.
    build.onResolve({ filter: /^yaml$/ }, (args) =>
      args.namespace === "c2b-yaml"
        ? undefined
        : {
            path: /[\\/]src[\\/]compose[\\/]yaml[\\/](cst|limits)\.ts$/.test(args.importer) ? "parse" : "lazy",
            namespace: "c2b-yaml",
          },
    );
    build.onLoad({ filter: /.*/, namespace: "c2b-yaml" }, (args) => ({
      contents: args.path === "parse" ? yamlParseModule : yamlLazyModule,
      loader: "js",
      resolveDir: root,
    }));
    // The `yaml` package's debug hooks (LOG_TOKENS, LOG_STREAM: they print the parsed file to stdout) are left out.
    build.onLoad({ filter: HOOKED_FILES }, (args) => ({
      contents: withoutDebugHook(args.path, fs.readFileSync(args.path, "utf8")),
      loader: "js",
    }));
    // The full handlebars compiler is never needed in the bundle: only its runtime.
    build.onResolve({ filter: /^handlebars$/ }, () => ({ path: require.resolve("handlebars/runtime") }));
  },
};

const outfile = process.env.BUNDLE_OUTFILE || path.join(root, "dist", "compose2bake.cjs");
// A cache from the previous bundle must never meet the new one (see bin/load-bundle.js).
fs.rmSync(`${outfile}.cache`, { force: true });

esbuild
  .build({
    entryPoints: [path.join(root, "src", "cli", "main.ts")],
    outfile,
    write: false,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: process.env.BUNDLE_MINIFY !== "0",
    keepNames: false,
    legalComments: "linked",
    plugins: [precompiledTemplate],
    // Loaded from node_modules on the rare runs that need them (help, usage errors, a stale --check diff),
    // so that the other runs read, hash and deserialize a third less.
    external: ["yargs", "diff"],
    logLevel: "warning",
  })
  .then((result) => {
    for (const out of result.outputFiles) {
      let text = out.text;
      if (out.path === outfile) {
        // Written inside CommonJS's function wrapper, so that bin/load-bundle.js hands V8 the file's text as it is:
        // wrapping it at run time made a second, concatenated copy for V8 to flatten, and cost about 15 ms of CPU.
        // The file is also a plain CommonJS module (Node >= 22.1 require()s it under its own compile cache): there
        // `this` is module.exports and the wrapper is called; as a vm script it is the wrapper, its completion value.
        text = `(function (f) { return this === globalThis ? f : f.call(this, exports, require, module, __filename, __dirname); }).call(this, ${wrap(text).replace(/;$/, "")});`;
        // The bundle's first line names its content; the code cache records the name it was made for.
        const id = crypto.createHash("sha256").update(text).digest("hex").slice(0, 32);
        text = `/* compose2bake bundle ${id} */\n${text}`;
      }
      fs.mkdirSync(path.dirname(out.path), { recursive: true });
      const tmp = `${out.path}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, out.path);
    }
    if (process.env.BUNDLE_OUTFILE) return; // a one-off bundle for profiling: no cache
    // In a fresh process, so that the cache holds what a cold run compiles (scripts/code-cache.js).
    const r = spawnSync(process.execPath, [path.join(__dirname, "code-cache.js")], { stdio: "inherit" });
    if (r.status !== 0) process.exit(1);
  })
  .catch(() => process.exit(1));
