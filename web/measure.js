#!/usr/bin/env node
/**
 * The playground's figures for the README: the size of web/dist/'s files and the time from navigation start to
 * the first output (the page's `compose2bake:first-output` mark), median of 7 loads in Debian's chromium
 * (CHROMIUM_PATH, else /usr/bin/chromium), a fresh browser context each time (nothing cached).
 */
"use strict";
const os = require("node:os");
const path = require("node:path");
const { buildWeb } = require("./build.js");
const { startServer } = require("./serve.js");

(async () => {
  const outdir = path.join(os.tmpdir(), `c2b-web-measure-${process.pid}`);
  const sizes = await buildWeb({ outdir });
  const server = await startServer(outdir);
  const { chromium } = require("playwright-core");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  const times = [];
  for (let i = 0; i < 7; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector("body[data-converted]");
    times.push(await page.evaluate(() => performance.getEntriesByName("compose2bake:first-output")[0].startTime));
    await context.close();
  }
  await browser.close();
  await server.close();
  require("node:fs").rmSync(outdir, { recursive: true, force: true });
  const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
  for (const s of sizes) console.log(`${s.name}: ${kb(s.bytes)} (${kb(s.gzip)} gzipped)`);
  times.sort((a, b) => a - b);
  console.log(
    `load to first output: median ${times[3].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[6].toFixed(0)}) over 7 loads, ${os.cpus().length} CPUs`,
  );
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
