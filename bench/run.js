#!/usr/bin/env node
/**
 * `npm run bench`: times the compose2bake CLI as a whole process (cold start included) on generated
 * projects of 10, 100, 1,000 and 5,000 buildable services, and, when scripts/fetch-docker-tools.sh has
 * fetched them, `docker-compose build --print` and `docker-buildx bake --print -f compose.yaml` on the same
 * projects, side by side. Reports the median wall time and peak memory (max RSS, from /usr/bin/time) per
 * size, the per-service slope, and ratios; writes bench/results.md. Not part of `npm test`: timings belong
 * here, never in assertions.
 *
 *   npm run bench                 # all sizes, 7 runs each
 *   BENCH_SIZES=10,100 BENCH_RUNS=5 npm run bench
 */
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const sizes = (process.env.BENCH_SIZES || "10,100,1000,5000").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS || 7);
const timeBin = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** A project with anchors, secrets, SSH, args and `service:` contexts: every 10th service is a base. */
function generate(n) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `c2b-bench-${n}-`));
  const lines = [
    "x-build: &build",
    "  args: &args",
    "    NODE_VERSION: \"20\"",
    "    APP_ENV: ${APP_ENV:-production}",
    "  secrets: [npm_token, gh]",
    "  ssh: [default]",
    "services:",
  ];
  for (let i = 0; i < n; i++) {
    const base = `svc${i - (i % 10)}`;
    lines.push(`  svc${i}:`);
    lines.push(`    image: registry.example.com/team/svc${i}:\${TAG:-latest}`);
    lines.push("    build:");
    lines.push("      <<: *build");
    lines.push(`      context: ./services/svc${i}`);
    lines.push("      args:");
    lines.push("        <<: *args");
    lines.push(`        SERVICE: svc${i}`);
    if (i % 10 !== 0) lines.push(`      additional_contexts:\n        base: service:${base}`);
    lines.push(`      cache_from: ["type=registry,ref=registry.example.com/cache:svc${i}"]`);
  }
  lines.push("secrets:", "  npm_token:", "    file: ./npm_token.txt", "  gh:", "    environment: GH_TOKEN");
  fs.writeFileSync(path.join(dir, "compose.yaml"), lines.join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "npm_token.txt"), "not-a-token\n");
  return dir;
}

function measure(cmd, args, cwd, env) {
  const wall = [];
  const rss = [];
  for (let r = 0; r < runs; r++) {
    const full = timeBin ? [timeBin, ["-f", "%M", cmd, ...args]] : [cmd, args];
    const start = process.hrtime.bigint();
    const res = spawnSync(full[0], full[1], { cwd, env, encoding: "utf8", maxBuffer: 1 << 30 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (res.status !== 0) return { error: (res.stderr || "").trim().split("\n").slice(-3).join(" ") };
    wall.push(ms);
    if (timeBin) rss.push(Number(res.stderr.trim().split("\n").pop()) / 1024);
  }
  return { wall: median(wall), rss: rss.length ? Math.max(...rss) : undefined };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function tools() {
  const bin = path.join(root, ".tools", "bin");
  const buildx = path.join(bin, "docker-buildx");
  const compose = path.join(bin, "docker-compose");
  if (!fs.existsSync(buildx) || !fs.existsSync(compose)) return undefined;
  const env = {
    PATH: process.env.PATH,
    HOME: os.tmpdir(),
    DOCKER_CONFIG: path.join(root, ".tools", "docker-config"),
    DOCKER_HOST: "unix:///nonexistent/docker.sock",
  };
  const v = (b, a) => spawnSync(b, a, { env, encoding: "utf8" }).stdout.trim().split("\n")[0];
  return { buildx, compose, env, versions: { buildx: v(buildx, ["version"]), compose: v(compose, ["version"]) } };
}

const fmt = (ms) => (ms === undefined ? "–" : `${ms.toFixed(0)} ms`);
const mb = (x) => (x === undefined ? "–" : `${x.toFixed(0)} MB`);
const ratio = (a, b) => (a === undefined || b === undefined ? "–" : `${(a / b).toFixed(2)}×`);

function main() {
  const cli = path.join(root, "bin", "compose2bake.js");
  if (!fs.existsSync(path.join(root, "dist", "compose2bake.cjs"))) {
    console.error("bench: dist/compose2bake.cjs is missing; run npm run build first");
    process.exit(2);
  }
  const t = tools();
  const env = { PATH: process.env.PATH, HOME: os.tmpdir() };
  const rows = [];
  const node = measure(process.execPath, ["-e", "0"], root, env);
  for (const n of sizes) {
    const dir = generate(n);
    const row = { n };
    row.ours = measure(process.execPath, [cli], dir, env);
    row.oursHcl = measure(process.execPath, [cli, "--format", "hcl"], dir, env);
    if (t) {
      row.compose = measure(t.compose, ["-p", "bench", "build", "--print"], dir, { ...t.env, GH_TOKEN: "x" });
      row.bake = measure(t.buildx, ["bake", "--print", "--progress=quiet", "-f", "compose.yaml"], dir, { ...t.env, SSH_AUTH_SOCK: "/dev/null" });
    }
    rows.push(row);
    fs.rmSync(dir, { recursive: true, force: true });
    console.error(`bench: ${n} services done`);
  }
  const out = [];
  out.push("# compose2bake benchmark", "");
  out.push(`Generated by \`npm run bench\` on ${os.cpus().length} × ${os.cpus()[0].model.trim()}, Node ${process.version}, ${runs} runs per figure (median wall time of the whole process, cold start included; peak RSS).`);
  if (t) out.push(`Real tools: ${t.versions.compose}; ${t.versions.buildx}.`);
  out.push(`Bare \`node -e 0\`: ${fmt(node.wall)}, ${mb(node.rss)}.`, "");
  out.push("| services | compose2bake (JSON) | compose2bake (HCL) | docker-compose build --print | docker-buildx bake --print | ours / compose | ours / bake | peak RSS ours | peak RSS compose | peak RSS bake |");
  out.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const c = r.compose || {};
    const b = r.bake || {};
    out.push(`| ${r.n} | ${fmt(r.ours.wall)} | ${fmt(r.oursHcl.wall)} | ${c.error ? "failed" : fmt(c.wall)} | ${b.error ? "failed" : fmt(b.wall)} | ${ratio(r.ours.wall, c.wall)} | ${ratio(r.ours.wall, b.wall)} | ${mb(r.ours.rss)} | ${mb(c.rss)} | ${mb(b.rss)} |`);
  }
  out.push("");
  const by = Object.fromEntries(rows.map((r) => [r.n, r]));
  if (by[1000] && by[5000]) {
    const slope = (by[5000].ours.wall - by[1000].ours.wall) / 4000;
    out.push(`Per-service slope (1,000 → 5,000): ${slope.toFixed(3)} ms per service; 5,000 / 1,000 = ${ratio(by[5000].ours.wall, by[1000].ours.wall)} (linear would be 5×).`);
  }
  for (const r of rows) {
    if (r.compose && r.compose.error) out.push(`- docker-compose failed at ${r.n} services: ${r.compose.error}`);
    if (r.bake && r.bake.error) out.push(`- docker-buildx failed at ${r.n} services: ${r.bake.error}`);
  }
  const text = out.join("\n") + "\n";
  fs.writeFileSync(path.join(__dirname, "results.md"), text);
  process.stdout.write(text);
}

main();
