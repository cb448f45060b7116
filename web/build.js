#!/usr/bin/env node
/**
 * Builds the playground into web/dist/ (or `--outdir DIR`): index.html, app.css and app.js, one bundle of the
 * page, CodeMirror and the library itself built for the browser (scripts/browser-core.js: no Node built-in may
 * be reached), with the examples of examples/ inside it. Prints the size of each file, raw and gzipped.
 * Static files only: publish the folder anywhere (README "Playground").
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const esbuild = require("esbuild");
const { browserCore } = require("../scripts/browser-core.js");

const root = path.resolve(__dirname, "..");

/** The Compose, env and settings files of each example, compose.yaml first. */
function readExamples() {
  const dir = path.join(root, "examples");
  const shown = /^((docker-)?compose(\.[\w-]+)?\.ya?ml|\.env|compose2bake\.toml)$/;
  const rank = (n) => (/^(docker-)?compose\.ya?ml$/.test(n) ? 0 : /override/.test(n) ? 1 : /\.ya?ml$/.test(n) ? 2 : 3);
  return fs
    .readdirSync(dir)
    .filter((d) => fs.statSync(path.join(dir, d)).isDirectory())
    .sort()
    .map((name) => ({
      name,
      files: fs
        .readdirSync(path.join(dir, name))
        .filter((f) => shown.test(f))
        .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1))
        .map((f) => ({ name: f, text: fs.readFileSync(path.join(dir, name, f), "utf8") })),
    }));
}

const examplesModule = {
  name: "playground-examples",
  setup(build) {
    build.onResolve({ filter: /^virtual:examples$/ }, () => ({ path: "examples", namespace: "playground" }));
    build.onLoad({ filter: /.*/, namespace: "playground" }, () => ({
      contents: `export default ${JSON.stringify(readExamples())};`,
      loader: "js",
      watchFiles: [],
    }));
  },
};

async function buildWeb({ outdir = path.join(__dirname, "dist"), minify = true } = {}) {
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(__dirname, "src", "main.ts")],
    outfile: path.join(outdir, "app.js"),
    bundle: true,
    platform: "browser",
    format: "iife",
    target: ["es2022", "chrome111", "firefox113", "safari16.4"],
    minify,
    legalComments: "linked",
    plugins: [browserCore(), examplesModule],
    logLevel: "warning",
  });
  fs.copyFileSync(path.join(__dirname, "index.html"), path.join(outdir, "index.html"));
  fs.copyFileSync(path.join(__dirname, "style.css"), path.join(outdir, "app.css"));
  return ["index.html", "app.css", "app.js"].map((name) => {
    const bytes = fs.readFileSync(path.join(outdir, name));
    return { name, bytes: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
  });
}

if (require.main === module) {
  const at = process.argv.indexOf("--outdir");
  const outdir = at > 0 ? path.resolve(process.argv[at + 1]) : undefined;
  buildWeb({ outdir }).then(
    (sizes) => {
      const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
      for (const s of sizes) console.log(`${s.name.padEnd(11)} ${kb(s.bytes).padStart(10)}  (${kb(s.gzip)} gzipped)`);
      console.log(`wrote ${path.relative(process.cwd(), outdir ?? path.join(__dirname, "dist")) || "."}/`);
    },
    () => process.exit(1),
  );
}

module.exports = { buildWeb, readExamples };
