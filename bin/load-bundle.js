"use strict";
/**
 * Loads the single-file release bundle as require() would, but hands V8 the code cache that
 * scripts/code-cache.js recorded at build time (dist/compose2bake.cjs.cache): the bytecode of every
 * function a typical run calls, so a run compiles almost nothing. Used on Node 20 only, which has no compile
 * cache of its own (bin/compose2bake.js calls module.enableCompileCache where it exists). V8 rejects a cache from another Node version, and the bundle
 * is then compiled as usual; a cache made for another bundle is never handed over (readCache).
 */
const { isAscii } = require("node:buffer");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

/** The first line of a bundle from scripts/bundle.js: a hash of the rest, which the cache's first line repeats. */
const BUNDLE_ID = /^\/\* compose2bake bundle ([0-9a-f]+) \*\/\n/;

function loadBundle(file) {
  const source = readSource(file);
  return compile(file, source, readCache(file, source));
}

/**
 * The bundle's text. esbuild writes it in ASCII (its default charset), which reads as Latin-1 far faster than
 * through Node's UTF-8 decoder (about 1 ms of a small run for 500 KB) and gives V8 the same one-byte string.
 */
function readSource(file) {
  const bytes = fs.readFileSync(file);
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/**
 * The cached data recorded for exactly this bundle, else undefined. V8 itself only checks the source's length
 * (and its own version and flags), so a cache left from another bundle of the same length would be taken.
 */
function readCache(file, source) {
  const id = BUNDLE_ID.exec(source.slice(0, 100));
  if (!id) return undefined;
  let cache;
  try {
    cache = fs.readFileSync(`${file}.cache`);
  } catch {
    return undefined; // no cache (a development build): compile as usual
  }
  const header = Buffer.from(`${id[1]}\n`);
  return cache.subarray(0, header.length).equals(header) ? cache.subarray(header.length) : undefined;
}

function compile(file, source, cachedData) {
  // The file is already a function expression (scripts/bundle.js wrote it inside CommonJS's wrapper).
  const script = new vm.Script(source, { filename: file, cachedData });
  const module = { exports: {} };
  // The bundle requires Node's own modules, and yargs and diff from this package's node_modules, which this
  // file's require resolves alike.
  script.runInThisContext()(module.exports, require, module, file, path.dirname(file));
  return { exports: module.exports, script };
}

module.exports = { loadBundle, BUNDLE_ID };
