#!/usr/bin/env node
/**
 * `npm run bench`: times the compose2bake CLI as a whole process (cold start included) on generated
 * projects of 10, 100, 1,000 and 5,000 buildable services, and, when test/tools/fetch-docker-tools.sh has
 * fetched them, `docker-compose build --print` and `docker-buildx bake --print -f compose.yaml` on the same
 * projects, side by side. Runs are interleaved (one run of each command in turn) so that a change in the
 * machine's load affects every command alike. Reports the median wall time and the peak memory (max RSS,
 * from /usr/bin/time) per size, the per-service slope, ratios and the targets of issue #15; times a 50 MB
 * compose file (refused at the size limit) and the parts of a small run's start-up; writes bench/results.md.
 * Not part of `npm test`: timings belong here, never in assertions.
 *
 * Then the "pathological inputs" table (issue #12): inputs built to make a super-linear scanner show, each
 * timed in keep mode, with --resolve and with `docker-compose build --print`.
 *
 *   npm run bench                 # all sizes, 7 runs each, then the pathological inputs
 *   BENCH_SIZES=10,100 BENCH_RUNS=5 npm run bench
 *   BENCH_ONLY=sizes npm run bench          # the sizes and start-up tables only, printed, results.md untouched
 *   BENCH_ONLY=pathological npm run bench   # only the pathological table (3 runs each unless BENCH_RUNS is set);
 *                                           # replaces that section of results.md and keeps the rest
 */
"use strict";
const { spawnSync, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { benchComposeYaml } = require("./project");
const { withoutDebugHook } = require("../scripts/yaml-debug-hooks");

const root = path.resolve(__dirname, "..");
const cli = path.join(root, "bin", "compose2bake.js");
const sizes = (process.env.BENCH_SIZES || "10,100,1000,5000").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS || 7);
const timeBin = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

// The yaml package's part of our parse: its Parser (lexer and CST) over the file, all of it, and nothing else.
// We compose our values from that CST (src/compose/yaml/cst.ts), not from the package's Document, so
// parseAllDocuments (CST and Document) would measure work and memory that a run does not have. The Parser is
// the one the bundle ships: its modules alone, without the debug hook that reads process.env for every token
// (scripts/yaml-debug-hooks.js), from a patched copy of the package's dist folder in `dir`, and with V8's
// optimizing compiler and young generation as the CLI sets them for a file of that size (src/cli/v8-tuning.ts).
function yamlOnlyScript(dir) {
  const dist = path.dirname(require.resolve("yaml", { paths: [root] }));
  fs.cpSync(dist, dir, { recursive: true });
  const parser = path.join(dir, "parse", "parser.js");
  fs.writeFileSync(parser, withoutDebugHook(parser, fs.readFileSync(parser, "utf8")));
  const tuning = path.join(root, "dist", "src", "cli", "v8-tuning.js");
  return (
    `const { Parser } = require(${JSON.stringify(parser)});` +
    'const text = require("fs").readFileSync("compose.yaml", "utf8");' +
    `new (require(${JSON.stringify(tuning)}).V8Tuning)().fileRead(text.length);` +
    "for (const token of new Parser().parse(text));"
  );
}

/** The benchmark's project of `n` services (bench/project.js) in a new temporary folder. */
function generate(n) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `c2b-bench-${n}-`));
  fs.writeFileSync(path.join(dir, "compose.yaml"), benchComposeYaml(n));
  fs.writeFileSync(path.join(dir, "npm_token.txt"), "not-a-token\n");
  return dir;
}

/** One run: wall time in ms and peak RSS in MB, or the error that stopped it. */
function runOnce(command, cwd, env, expectStatus = 0) {
  const [cmd, args] = timeBin ? [timeBin, ["-f", "%M", ...command]] : [command[0], command.slice(1)];
  const start = process.hrtime.bigint();
  const res = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const stderr = res.stderr || "";
  if (res.status !== expectStatus)
    return { error: stderr.trim().split("\n").slice(-3).join(" ") || `exit ${res.status}` };
  const rss = timeBin ? Number(stderr.trim().split("\n").pop()) / 1024 : undefined;
  return { ms, rss, stderr };
}

/** Runs every command `runs` times, interleaved; median wall time and maximum RSS per command. */
function measure(commands, cwd) {
  const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, { wall: [], rss: [] }]));
  const result = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, c] of Object.entries(commands)) {
      if (result[name]) continue; // failed earlier
      const one = runOnce(c.command, cwd, c.env, c.status);
      if (one.error) {
        result[name] = { error: one.error };
        continue;
      }
      samples[name].wall.push(one.ms);
      if (one.rss !== undefined) samples[name].rss.push(one.rss);
    }
  }
  for (const [name, s] of Object.entries(samples)) {
    if (!result[name]) result[name] = { wall: median(s.wall), rss: s.rss.length ? Math.max(...s.rss) : undefined };
  }
  return result;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The real tools, an SSH agent for buildx (it reads the agent for `ssh: [default]` even with --print). */
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
    GH_TOKEN: "not-a-token",
  };
  let agent;
  try {
    const sock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-bench-agent-")), "agent.sock");
    const out = execFileSync("ssh-agent", ["-s", "-a", sock], { encoding: "utf8" });
    agent = { sock, pid: Number(/SSH_AGENT_PID=(\d+)/.exec(out)[1]) };
    env.SSH_AUTH_SOCK = sock;
  } catch {
    // no ssh-agent: buildx will report that it cannot forward `ssh: [default]`
  }
  const v = (b, a) => spawnSync(b, a, { env, encoding: "utf8" }).stdout.trim().split("\n")[0];
  return {
    buildx,
    compose,
    env,
    agent,
    versions: { buildx: v(buildx, ["version"]), compose: v(compose, ["version"]) },
  };
}

const fmt = (ms) => (ms === undefined ? "–" : `${ms.toFixed(0)} ms`);
const mb = (x) => (x === undefined ? "–" : `${x.toFixed(0)} MB`);
const ratio = (a, b) => (a === undefined || b === undefined ? "–" : `${(a / b).toFixed(2)}×`);
const cell = (m) => (m.error ? "failed" : fmt(m.wall));

function main() {
  if (!fs.existsSync(path.join(root, "dist", "compose2bake.cjs"))) {
    console.error("bench: dist/compose2bake.cjs is missing; run npm run build first");
    process.exit(2);
  }
  if (process.env.BENCH_ONLY === "pathological") return pathologicalOnly();
  const sizesOnly = process.env.BENCH_ONLY === "sizes";
  if (process.env.BENCH_ONLY && !sizesOnly) {
    console.error(`bench: unknown BENCH_ONLY=${process.env.BENCH_ONLY} (known: pathological, sizes)`);
    process.exit(2);
  }
  const t = tools();
  const env = { PATH: process.env.PATH, HOME: os.tmpdir() };
  const node = process.execPath;
  const rows = [];
  let startup;
  const yamlCopy = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-bench-yaml-"));
  try {
    const yamlOnly = yamlOnlyScript(yamlCopy);
    for (const n of sizes) {
      const dir = generate(n);
      const commands = {
        ours: { command: [node, cli], env },
        oursHcl: { command: [node, cli, "--format", "hcl"], env },
      };
      // The floor under our figures: the yaml package alone parsing the file, with the options we use.
      commands.yamlOnly = { command: [node, "-e", yamlOnly], env };
      if (t) {
        commands.compose = { command: [t.compose, "-p", "bench", "build", "--print"], env: t.env };
        commands.bake = {
          command: [t.buildx, "bake", "--print", "--progress=quiet", "-f", "compose.yaml"],
          env: t.env,
        };
      }
      if (n === Math.min(...sizes)) {
        // Where a small run's time goes: Node itself, loading the bundle, the whole run.
        commands.bareNode = { command: [node, "-e", "0"], env };
        commands.loadOnly = {
          command: [
            node,
            "-e",
            `require(${JSON.stringify(path.join(root, "bin", "load-bundle.js"))}).loadBundle(${JSON.stringify(path.join(root, "dist", "compose2bake.cjs"))})`,
          ],
          env,
        };
      }
      const m = measure(commands, dir);
      if (m.bareNode) startup = { n, bareNode: m.bareNode, loadOnly: m.loadOnly, ours: m.ours };
      rows.push({ n, bytes: fs.statSync(path.join(dir, "compose.yaml")).size, ...m });
      fs.rmSync(dir, { recursive: true, force: true });
      console.error(`bench: ${n} services done`);
    }
  } catch (e) {
    stopAgent(t);
    throw e;
  } finally {
    fs.rmSync(yamlCopy, { recursive: true, force: true });
  }
  const big = bigFile(env);

  const out = [];
  out.push("# compose2bake benchmark", "");
  out.push(
    `Generated by \`npm run bench\` on ${os.cpus().length} × ${os.cpus()[0].model.trim()}, Node ${process.version}, ` +
      `load average ${os.loadavg()[0].toFixed(2)} at the end; ${runs} interleaved runs per figure: median wall time of the whole ` +
      "process (cold start included) and the highest peak RSS.",
  );
  if (t) out.push(`Real tools: ${t.versions.compose}; ${t.versions.buildx}.`);
  out.push("");
  out.push(
    "| services | file | compose2bake (JSON) | compose2bake (HCL) | docker-compose build --print | docker-buildx bake --print | ours / compose | ours / bake | peak RSS ours (JSON) | peak RSS ours (HCL) | peak RSS compose | peak RSS bake |",
  );
  out.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const c = r.compose || {};
    const b = r.bake || {};
    out.push(
      `| ${r.n} | ${(r.bytes / 1024).toFixed(0)} KB | ${cell(r.ours)} | ${cell(r.oursHcl)} | ${t ? cell(c) : "–"} | ${t ? cell(b) : "–"} | ` +
        `${ratio(r.ours.wall, c.wall)} | ${ratio(r.ours.wall, b.wall)} | ${mb(r.ours.rss)} | ${mb((r.oursHcl || {}).rss)} | ${mb(c.rss)} | ${mb(b.rss)} |`,
    );
  }
  out.push("");
  const by = Object.fromEntries(rows.map((r) => [r.n, r]));
  if (by[1000] && by[5000] && !by[1000].ours.error && !by[5000].ours.error) {
    const slope = (by[5000].ours.wall - by[1000].ours.wall) / 4000;
    out.push(
      `Per-service slope (1,000 → 5,000 services): ${slope.toFixed(3)} ms per service; 5,000 / 1,000 = ${ratio(by[5000].ours.wall, by[1000].ours.wall)} (linear cost would be at most 5×).`,
      "",
    );
  }
  for (const r of rows) {
    for (const [name, label] of [
      ["ours", "compose2bake"],
      ["compose", "docker-compose"],
      ["bake", "docker-buildx"],
    ]) {
      if (r[name] && r[name].error) out.push(`- ${label} failed at ${r.n} services: ${r[name].error}`);
    }
  }
  out.push(...targets(by, t));
  out.push("", "## The YAML parse alone", "");
  out.push(
    "What the `yaml` package's part of our parse alone costs on each file (its `Parser`, lexer and CST, over the whole file, in a fresh `node`, without our bundle: loading the bundle adds the start-up table's difference; with V8's optimizing compiler and young generation set as the CLI sets them for that size), next to the whole run:",
    "",
  );
  out.push(
    "| services | yaml CST parse only | peak RSS | whole compose2bake run | peak RSS | docker-compose build --print | peak RSS |",
    "|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const r of rows) {
    const y = r.yamlOnly || {};
    const c = r.compose || {};
    out.push(
      `| ${r.n} | ${cell(y)} | ${mb(y.rss)} | ${cell(r.ours)} | ${mb(r.ours.rss)} | ${t ? cell(c) : "–"} | ${mb(c.rss)} |`,
    );
  }
  if (startup) {
    out.push("", `## Start-up (${startup.n} services)`, "");
    out.push("| step | median wall time | peak RSS |", "|---|---:|---:|");
    out.push(`| \`node -e 0\` | ${fmt(startup.bareNode.wall)} | ${mb(startup.bareNode.rss)} |`);
    out.push(
      `| Node + load the bundle with its code cache | ${fmt(startup.loadOnly.wall)} | ${mb(startup.loadOnly.rss)} |`,
    );
    out.push(`| the whole run | ${fmt(startup.ours.wall)} | ${mb(startup.ours.rss)} |`);
  }
  if (big) {
    out.push("", "## A 50 MB compose file", "");
    out.push(
      big.error
        ? `Failed: ${big.error}`
        : `Refused cleanly (exit 2) in ${fmt(big.wall)}, peak RSS ${mb(big.rss)}: \`${big.message}\``,
    );
  }
  try {
    if (!sizesOnly) out.push("", ...pathological(t));
  } finally {
    stopAgent(t);
  }
  const text = out.join("\n") + "\n";
  // A partial run (BENCH_ONLY=sizes) is printed only: results.md always holds a whole run.
  if (!sizesOnly) fs.writeFileSync(path.join(__dirname, "results.md"), text);
  process.stdout.write(text);
}

/** Issue #15's targets (which contain #7's and #11's), each with the figures it was judged on. */
function targets(by, t) {
  const out = ["", "## Targets (issue #15)", "", "| target | figures | met |", "|---|---|:---:|"];
  const row = (name, figures, ok) =>
    out.push(`| ${name} | ${figures} | ${ok === undefined ? "–" : ok ? "yes" : "**no**"} |`);
  const ok = (m) => m && !m.error && m.wall !== undefined;
  if (t && by[10] && ok(by[10].ours) && ok(by[10].bake)) {
    const a = by[10].ours.wall;
    const b = by[10].bake.wall;
    row(
      "10 services: at most 0.5× bake's wall time (#11: below 0.6×)",
      `${fmt(a)} vs ${fmt(b)} (${ratio(a, b)})`,
      a <= b / 2,
    );
  }
  for (const n of [100, 1000]) {
    if (!t || !by[n] || !ok(by[n].ours) || !ok(by[n].compose)) continue;
    const a = by[n].ours.wall;
    const c = by[n].compose.wall;
    row(
      `${n.toLocaleString("en")} services: at most 0.5× compose's wall time`,
      `${fmt(a)} vs ${fmt(c)} (${ratio(a, c)})`,
      a <= c / 2,
    );
  }
  if (by[1000] && by[5000] && ok(by[1000].ours) && ok(by[5000].ours)) {
    const r = by[5000].ours.wall / by[1000].ours.wall;
    row("linear: 5,000 at most 5× the 1,000 figure", `${r.toFixed(2)}×`, r <= 5);
  }
  if (t) {
    for (const n of Object.keys(by).map(Number)) {
      const r = by[n];
      const c = r.compose;
      const mine = [r.ours, r.oursHcl].filter((m) => m && m.rss !== undefined && !m.error).map((m) => m.rss);
      if (mine.length === 0 || !c || c.rss === undefined || c.error) continue;
      const peak = Math.max(...mine);
      row(
        `${n.toLocaleString("en")} services: peak memory (JSON and HCL) at most compose's`,
        `${mb(peak)} vs ${mb(c.rss)}`,
        peak <= c.rss,
      );
    }
  }
  return out;
}

/** A 50 MB file: refused at the 16 MiB limit before it is parsed; timed once, like the other figures. */
function bigFile(env) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-bench-big-"));
  try {
    const file = path.join(dir, "compose.yaml");
    const fd = fs.openSync(file, "w");
    fs.writeSync(fd, "services:\n  web:\n    build: .\nx-big:\n");
    const chunk = "  - [a, b, c, d, e, f, g, h]\n".repeat(4096);
    let size = 0;
    while (size < 50 << 20) size += fs.writeSync(fd, chunk);
    fs.closeSync(fd);
    const wall = [];
    const rss = [];
    let message = "";
    for (let r = 0; r < Math.min(runs, 3); r++) {
      const one = runOnce([process.execPath, cli], dir, env, 2);
      if (one.error) return { error: one.error };
      wall.push(one.ms);
      if (one.rss !== undefined) rss.push(one.rss);
      message = one.stderr.split("\n")[0].replace(dir + "/", "");
    }
    return { wall: median(wall), rss: rss.length ? Math.max(...rss) : undefined, message };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function stopAgent(t) {
  if (!t || !t.agent) return;
  try {
    process.kill(t.agent.pid);
  } catch {
    // already gone
  }
  fs.rmSync(path.dirname(t.agent.sock), { recursive: true, force: true });
  t.agent = undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Pathological inputs (issue #12)
// ---------------------------------------------------------------------------------------------------------------

const PATHOLOGICAL_HEADING = "## Pathological inputs";

/** A compose.yaml with one buildable service `web` and `build` lines below `context: .`, plus `tail` at the end. */
function oneService(buildLines, tail = "") {
  return `services:\n  web:\n    build:\n      context: .\n${buildLines}${tail}`;
}

/**
 * Each input is built so that a scanner that is quadratic in some length takes seconds or more on it (the
 * issue's reproductions, at the sizes it gives). Every case must stay within 2× its own --resolve time and
 * within docker compose's time on the same input.
 */
const PATHOLOGICAL_CASES = [
  {
    name: "label `$$`×200,000 then `x${VAR}`",
    why: "a `$`-anchored regex tried from every start (`/\\$+$/.exec` in templateSegments)",
    compose: () => oneService(`      labels:\n        L: "${"$$".repeat(200_000)}x\${VAR}"\n`),
  },
  {
    // An explicit key (`? key`): go-yaml refuses an implicit key longer than 1,024 characters.
    name: "label key `.image`×32,000 then a newline, value `${X}`",
    why: "regexes over the joined path (`^services\\..+\\.image$` and the like) in keep.ts",
    compose: () => oneService(`      labels:\n        ? "${".image".repeat(32_000)}\\n"\n        : "\${X}"\n`),
  },
  {
    name: "label key `.build.labels.x`×16,000 then a newline, value `${X}`",
    why: "two `.+` in one path regex: backtracking over every `.build.labels.` in the key",
    compose: () => oneService(`      labels:\n        ? "${".build.labels.x".repeat(16_000)}\\n"\n        : "\${X}"\n`),
  },
  {
    name: "`shm_size` of 40,000 digits with a letter inside (refused)",
    why: "`\\d+\\.?\\d*` in the size syntax: two quantifiers over the same digits",
    compose: () => oneService(`      shm_size: "${"1".repeat(40_000)}x1"\n`),
  },
  {
    name: "`${A:-x}`×10,000 then 1 MB of text, on one line",
    why: "searching for the end of the line and its last `}` again from every reference",
    compose: () => oneService(`      labels:\n        L: "${"${A:-x}".repeat(10_000)}${"a".repeat(1 << 20)}"\n`),
  },
  {
    name: "`${V0:-${V1:-…}}` 2,000 levels deep (the issue's stack overflow)",
    why: "recursion and per-level work that grows with the depth (guard lists, brace matching)",
    compose: () =>
      oneService(
        `      labels:\n        L: "${Array.from({ length: 2000 }, (_, i) => `\${V${i}:-`).join("")}x${"}".repeat(2000)}"\n`,
      ),
  },
  {
    name: "`${V0:-${V1:-…}}` 900 levels deep, in 20 labels",
    why: "the same, repeated: per-level work that grows with the depth",
    compose: () => {
      const deep = Array.from({ length: 900 }, (_, i) => `\${V${i}:-`).join("") + "x" + "}".repeat(900);
      return oneService(
        `      labels:\n${Array.from({ length: 20 }, (_, i) => `        L${i}: "${deep}"\n`).join("")}`,
      );
    },
  },
  {
    name: "a 100 KB anchor aliased 400 times in an `x-` list (40 MB expanded)",
    why: "alias amplification: every alias walked (interpolated) as a copy",
    compose: () =>
      oneService("", `x-big: &big "${"ab$$c ".repeat(100_000 / 6)}"\nx-amplified:\n${"  - *big\n".repeat(400)}`),
  },
  {
    name: "a 10 MB arg value of `a`, then `${V}`",
    why: "any per-value scan that is not linear (templates, escaping, CSV, emitters)",
    compose: () => oneService(`      args:\n        A: "${"a".repeat(10 << 20)}\${V}"\n`),
  },
];

/** Runs one command (interleaved by the caller): wall time, exit status, stderr and, with /usr/bin/time, peak RSS. */
function timeOnce(command, cwd, env) {
  const [cmd, args] = timeBin ? [timeBin, ["-f", "%M", ...command]] : [command[0], command.slice(1)];
  const start = process.hrtime.bigint();
  const res = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let stderr = res.stderr || "";
  let rss;
  if (timeBin) {
    // /usr/bin/time's line comes last (after "Command exited with non-zero status N" when it failed).
    const lines = stderr.trimEnd().split("\n");
    rss = Number(lines.pop()) / 1024;
    if (/^Command exited with non-zero status/.test(lines[lines.length - 1] || "")) lines.pop();
    stderr = lines.join("\n");
  }
  return { ms, status: res.status, stderr, rss };
}

/** A message cut to 160 characters (a refused input is often quoted whole). */
function shorten(message) {
  return message.length <= 160 ? message : `${message.slice(0, 150)}…${message.slice(-9)}`;
}

/** The pathological table, as lines of Markdown. */
function pathological(t) {
  const n = Number(process.env.BENCH_RUNS || 3);
  const node = process.execPath;
  const env = { PATH: process.env.PATH, HOME: os.tmpdir() };
  const rows = [];
  for (const c of PATHOLOGICAL_CASES) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-bench-patho-"));
    try {
      fs.writeFileSync(path.join(dir, "compose.yaml"), c.compose());
      const commands = {
        keep: { command: [node, cli, "-o", "out.json"], env },
        resolve: { command: [node, cli, "--resolve", "-o", "out.json"], env },
      };
      if (t) commands.compose = { command: [t.compose, "-p", "bench", "build", "--print"], env: t.env };
      const samples = Object.fromEntries(
        Object.keys(commands).map((k) => [k, { wall: [], rss: [], status: undefined, error: "" }]),
      );
      for (let r = 0; r < n; r++) {
        for (const [name, cmd] of Object.entries(commands)) {
          const one = timeOnce(cmd.command, dir, cmd.env);
          const s = samples[name];
          s.wall.push(one.ms);
          if (one.rss !== undefined && !Number.isNaN(one.rss)) s.rss.push(one.rss);
          s.status = one.status;
          if (one.status !== 0)
            s.error = shorten(
              one.stderr
                .trim()
                .split("\n")
                .slice(-1)[0]
                .replace(dir + "/", ""),
            );
        }
      }
      rows.push({
        c,
        bytes: fs.statSync(path.join(dir, "compose.yaml")).size,
        m: Object.fromEntries(
          Object.entries(samples).map(([k, s]) => [
            k,
            { ...s, wall: median(s.wall), rss: s.rss.length ? Math.max(...s.rss) : undefined },
          ]),
        ),
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    console.error(`bench: pathological: ${c.name} done`);
  }
  const cellOf = (m) => (m === undefined ? "–" : m.status === 0 ? fmt(m.wall) : `${fmt(m.wall)} (exit ${m.status})`);
  const out = [PATHOLOGICAL_HEADING, ""];
  out.push(
    `Inputs built to make a super-linear scanner show (issue #12), generated by \`bench/run.js\` (\`BENCH_ONLY=pathological npm run bench\` runs only this table); ` +
      `median of ${n} interleaved runs, whole process, on ${os.cpus().length} × ${os.cpus()[0].model.trim()}, load average ${os.loadavg()[0].toFixed(2)} at the end. ` +
      "Target: keep mode at most 2× its own `--resolve` time and at most docker compose's time.",
  );
  out.push("");
  out.push(
    "| input | file | keep (default) | --resolve | docker-compose build --print | keep / resolve | keep / compose | met | peak RSS keep | peak RSS compose |",
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|:---:|---:|---:|");
  const notes = [];
  for (const r of rows) {
    const { keep, resolve, compose } = r.m;
    const okKeep = keep.status === 0 || keep.status === 2;
    const met = okKeep && keep.wall <= 2 * resolve.wall && (compose === undefined || keep.wall <= compose.wall);
    out.push(
      `| ${r.c.name} | ${(r.bytes / 1024).toFixed(0)} KB | ${cellOf(keep)} | ${cellOf(resolve)} | ${cellOf(compose)} | ` +
        `${ratio(keep.wall, resolve.wall)} | ${compose ? ratio(keep.wall, compose.wall) : "–"} | ${met ? "yes" : "**no**"} | ${mb(keep.rss)} | ${mb(compose && compose.rss)} |`,
    );
    for (const [name, m] of Object.entries(r.m))
      if (m.status !== 0) notes.push(`- ${r.c.name}, ${name}: exit ${m.status}: \`${m.error}\``);
  }
  out.push("", "What each input is aimed at:", "");
  for (const c of PATHOLOGICAL_CASES) out.push(`- ${c.name}: ${c.why}.`);
  if (notes.length > 0) out.push("", "Runs that did not exit 0:", "", ...notes);
  return out;
}

/** BENCH_ONLY=pathological: the table alone, written over its own section of results.md. */
function pathologicalOnly() {
  const t = tools();
  let lines;
  try {
    lines = pathological(t);
  } finally {
    stopAgent(t);
  }
  const file = path.join(__dirname, "results.md");
  const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# compose2bake benchmark\n";
  const start = old.indexOf(`\n${PATHOLOGICAL_HEADING}\n`);
  let before = old;
  let after = "";
  if (start >= 0) {
    before = old.slice(0, start + 1);
    const next = old.indexOf("\n## ", start + PATHOLOGICAL_HEADING.length + 1);
    after = next >= 0 ? old.slice(next + 1) : "";
  }
  const section = lines.join("\n") + "\n";
  const text = before.replace(/\n*$/, "\n\n") + section + (after ? "\n" + after : "");
  fs.writeFileSync(file, text);
  process.stdout.write(section);
}

if (require.main === module) main();
module.exports = { generate, PATHOLOGICAL_CASES, pathological };
