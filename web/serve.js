#!/usr/bin/env node
/**
 * `npm run web`: builds the playground (web/build.js) and serves web/dist/ on http://127.0.0.1:8080/ (PORT or
 * `--port N` to choose; 0 for any free port) until interrupted. A few lines of node:http, for local use only:
 * the published playground is the static folder itself.
 */
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { buildWeb } = require("./build.js");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".png": "image/png",
};

/** Serves the files of `dir` (GET and HEAD, nothing outside it); resolves to its URL and a close function. */
function startServer(dir, port = 0, host = "127.0.0.1") {
  const base = fs.realpathSync(dir);
  const server = http.createServer((req, res) => {
    let name;
    try {
      name = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      name = "";
    }
    if (name.endsWith("/")) name += "index.html";
    const file = path.join(base, path.normalize(name));
    const ok =
      (req.method === "GET" || req.method === "HEAD") &&
      file.startsWith(base + path.sep) &&
      fs.statSync(file, { throwIfNoEntry: false })?.isFile();
    if (!ok) {
      res.writeHead(req.method === "GET" || req.method === "HEAD" ? 404 : 405, { "content-type": "text/plain" });
      res.end("not found\n");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": "no-cache",
    });
    if (req.method === "HEAD") res.end();
    else fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ url: `http://${host}:${actual}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (require.main === module) {
  const at = process.argv.indexOf("--port");
  const port = Number(at > 0 ? process.argv[at + 1] : (process.env.PORT ?? 8080));
  const dir = path.join(__dirname, "dist");
  buildWeb({ outdir: dir })
    .then(() => startServer(dir, port))
    .then(
      ({ url }) => console.log(`compose2bake playground: ${url}  (Ctrl+C to stop)`),
      (e) => {
        console.error(`npm run web: ${e.message}`);
        process.exit(1);
      },
    );
}

module.exports = { startServer };
