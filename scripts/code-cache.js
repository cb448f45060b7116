#!/usr/bin/env node
/**
 * Records V8's code cache for the release bundle (see bin/load-bundle.js): loads dist/compose2bake.cjs in
 * this fresh process, converts every bundled example in both formats and both variable modes (output
 * discarded, nothing written), then saves the bytecode of what ran to dist/compose2bake.cjs.cache.
 * Run by scripts/bundle.js; the cache is only ever an optimisation, so a failure here fails the build
 * loudly rather than shipping a cache nobody checked.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { BUNDLE_ID, loadBundle } = require("../bin/load-bundle.js");

const root = path.resolve(__dirname, "..");
const bundle = path.join(root, "dist", "compose2bake.cjs");
const cacheFile = `${bundle}.cache`;

async function main() {
  fs.rmSync(cacheFile, { force: true });
  const { exports: cli, script } = loadBundle(bundle);
  const examples = path.join(root, "examples");
  for (const name of fs.readdirSync(examples).sort()) {
    const cwd = path.join(examples, name);
    if (!fs.existsSync(path.join(cwd, "compose.yaml"))) continue;
    for (const args of [[], ["--format", "hcl"], ["--resolve"], ["--resolve", "--format", "hcl"]]) {
      const errors = [];
      const io = { cwd, env: {}, stdout: () => {}, stderr: (t) => errors.push(t) };
      const code = await cli.main(args, io);
      if (code !== 0)
        throw new Error(`code cache warm-up: examples/${name} ${args.join(" ")} exited ${code}: ${errors.join("")}`);
    }
  }
  const id = BUNDLE_ID.exec(fs.readFileSync(bundle, "utf8").slice(0, 100));
  if (!id) throw new Error(`${bundle} does not start with its bundle id`);
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${id[1]}\n`), script.createCachedData()]));
  fs.renameSync(tmp, cacheFile);
}

main().catch((e) => {
  console.error(`scripts/code-cache.js: ${e.stack || e}`);
  process.exit(1);
});
