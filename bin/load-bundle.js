"use strict";
/**
 * Loads the single-file release bundle as require() would, but hands V8 the code cache that
 * scripts/code-cache.js recorded at build time (dist/compose2bake.cjs.cache): the bytecode of every
 * function a typical run calls, so a run compiles almost nothing. Node 20 has no compile cache of its
 * own (Node 22's module.enableCompileCache). V8 rejects a cache from another Node version or for other
 * source text, and the bundle is then compiled as usual.
 */
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { wrap } = require("node:module");

function loadBundle(file) {
  const source = fs.readFileSync(file, "utf8");
  let cachedData;
  try {
    cachedData = fs.readFileSync(`${file}.cache`);
  } catch {
    // no cache (a development build): compile as usual
  }
  const script = new vm.Script(wrap(source), { filename: file, cachedData });
  const module = { exports: {} };
  // The bundle requires only Node's own modules, which this file's require resolves alike.
  script.runInThisContext()(module.exports, require, module, file, path.dirname(file));
  return { exports: module.exports, script };
}

module.exports = { loadBundle };
