#!/usr/bin/env node
/**
 * One-off migration of case folders to the one case format (test/support/cases.ts, test/README.md). Idempotent:
 * a folder already in the new format is left alone, so it can be run again after merging branches that added
 * cases in the old formats. Needs `npm run build` first (it runs dist/src/cli.js to add the file header).
 *
 *   node test/tools/migrate-cases.js [CHECKOUT]   # every folder of CHECKOUT's test/fixtures/ and test/loading/
 *
 * test/fixtures/<case>/ (old):  args (one per line), env.json, expected.json, expected.hcl, expected.stderr
 *   → case.json { args, env }, docker-bake.json, docker-bake.hcl (now as `-o docker-bake.<ext>` writes them:
 *     with the header; the rest must be byte-identical to the old file, else the case is left as it was and the
 *     script fails), expected-stderr.txt (dropped when empty).
 * test/loading/<case>/ (old):  args.json { files, projectDirectory, projectName, envFiles, profiles, services,
 *   cwd }, env.json, expected.json, expected-error.txt, expected-warnings.txt, compose-error.txt
 *   → case.json { args (as typed on the command line), cwd, env }, expected-project.json,
 *     expected-load-error.txt, expected-load-warnings.txt, expected-compose-error.txt. README and divergence.txt
 *     stay.
 */
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

// The checkout to migrate: the first argument, else the one this file is in.
const repo = path.resolve(process.argv[2] ?? path.join(__dirname, "..", ".."));
const { main } = require(path.join(repo, "dist", "src", "cli.js"));

const exists = (dir, f) => fs.existsSync(path.join(dir, f));
const read = (dir, f) => fs.readFileSync(path.join(dir, f), "utf8");

function readSpec(dir) {
  return exists(dir, "case.json") ? JSON.parse(read(dir, "case.json")) : {};
}

function writeSpec(dir, spec) {
  const ordered = {};
  for (const k of ["args", "cwd", "env"]) if (spec[k] !== undefined) ordered[k] = spec[k];
  if (Object.keys(ordered).length > 0)
    fs.writeFileSync(path.join(dir, "case.json"), JSON.stringify(ordered, null, 2) + "\n");
}

function move(dir, from, to) {
  if (!exists(dir, from)) return;
  if (exists(dir, to)) throw new Error(`${dir}: both ${from} and ${to} exist`);
  fs.renameSync(path.join(dir, from), path.join(dir, to));
}

function withoutHeader(text, format) {
  if (format === "hcl") return text.replace(/^(#[^\n]*\n)+\n?/, "");
  return text.replace(/^\{\n {2}"\/\/": \[\n(?: {4}[^\n]*\n)*? {2}\],?\n/, "{\n");
}

const OLD_FIXTURE_META = new Set(["args", "env.json", "expected.json", "expected.hcl", "expected.stderr"]);

/** What `compose2bake [args] -o docker-bake.<format>` writes, in a copy of the project. */
async function bakeFile(dir, args, env, format) {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-migrate-")));
  try {
    const copy = path.join(root, path.basename(dir));
    fs.cpSync(dir, copy, {
      recursive: true,
      filter: (src) => !(path.dirname(src) === dir && OLD_FIXTURE_META.has(path.basename(src))),
    });
    const out = path.join(copy, `docker-bake.${format}`);
    let stderr = "";
    const status = await main([...args, "-o", `docker-bake.${format}`], {
      cwd: copy,
      env: { HOME: "/home/tester", PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
      stdout: (t) => (stderr += t),
      stderr: (t) => (stderr += t),
    });
    if (status !== 0 || !fs.existsSync(out))
      throw new Error(`${dir}: compose2bake -o docker-bake.${format} failed (${status}):\n${stderr}`);
    return fs.readFileSync(out, "utf8");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function migrateFixture(dir) {
  if (![...OLD_FIXTURE_META].some((f) => exists(dir, f))) return false;
  const spec = readSpec(dir);
  if (exists(dir, "args")) {
    const args = read(dir, "args")
      .split("\n")
      .map((l) => l.replace(/\r$/, ""))
      .filter((l) => l !== "");
    if (args.length > 0) spec.args = args;
  }
  if (exists(dir, "env.json")) spec.env = JSON.parse(read(dir, "env.json"));
  // Compute both new files before touching anything.
  const files = {};
  for (const format of ["json", "hcl"]) {
    if (!exists(dir, `expected.${format}`)) continue;
    const old = read(dir, `expected.${format}`);
    const text = await bakeFile(dir, spec.args ?? [], spec.env ?? {}, format);
    if (withoutHeader(text, format) !== old) {
      throw new Error(
        `${dir}: compose2bake no longer writes expected.${format} (left as it was; fix the case, then run again)`,
      );
    }
    files[`docker-bake.${format}`] = text;
  }
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  for (const f of ["args", "env.json", "expected.json", "expected.hcl"]) fs.rmSync(path.join(dir, f), { force: true });
  if (exists(dir, "expected.stderr")) {
    if (read(dir, "expected.stderr") === "") fs.rmSync(path.join(dir, "expected.stderr"));
    else move(dir, "expected.stderr", "expected-stderr.txt");
  }
  writeSpec(dir, spec);
  return true;
}

function migrateScenario(dir) {
  const old = [
    "args.json",
    "env.json",
    "expected.json",
    "expected-error.txt",
    "expected-warnings.txt",
    "compose-error.txt",
  ];
  if (!old.some((f) => exists(dir, f))) return false;
  const spec = readSpec(dir);
  if (exists(dir, "args.json")) {
    const a = JSON.parse(read(dir, "args.json"));
    const known = ["files", "projectDirectory", "projectName", "envFiles", "profiles", "services", "cwd"];
    const unknown = Object.keys(a).filter((k) => !known.includes(k));
    if (unknown.length > 0) throw new Error(`${dir}/args.json: unknown keys ${unknown.join(", ")}`);
    const args = [];
    for (const f of a.files ?? []) args.push("-f", f);
    if (a.projectName !== undefined) args.push("-p", a.projectName);
    for (const p of a.profiles ?? []) args.push("--profile", p);
    for (const e of a.envFiles ?? []) args.push("--env-file", e);
    if (a.projectDirectory !== undefined) args.push("--project-directory", a.projectDirectory);
    args.push(...(a.services ?? []));
    if (args.length > 0) spec.args = args;
    if (a.cwd !== undefined && a.cwd !== ".") spec.cwd = a.cwd;
    fs.rmSync(path.join(dir, "args.json"));
  }
  if (exists(dir, "env.json")) {
    spec.env = JSON.parse(read(dir, "env.json"));
    fs.rmSync(path.join(dir, "env.json"));
  }
  move(dir, "expected.json", "expected-project.json");
  move(dir, "expected-error.txt", "expected-load-error.txt");
  move(dir, "expected-warnings.txt", "expected-load-warnings.txt");
  move(dir, "compose-error.txt", "expected-compose-error.txt");
  writeSpec(dir, spec);
  return true;
}

async function run() {
  const folders = (corpus) => {
    const root = path.join(repo, "test", corpus);
    return fs
      .readdirSync(root)
      .filter((d) => fs.statSync(path.join(root, d)).isDirectory())
      .sort()
      .map((d) => path.join(root, d));
  };
  let fixtures = 0;
  let scenarios = 0;
  const failures = [];
  for (const dir of folders("fixtures")) {
    try {
      if (await migrateFixture(dir)) fixtures++;
    } catch (e) {
      failures.push(e.message);
    }
  }
  for (const dir of folders("loading")) if (migrateScenario(dir)) scenarios++;
  console.error(`migrate-cases: ${fixtures} fixture(s) and ${scenarios} loading scenario(s) migrated`);
  for (const f of failures) console.error(`migrate-cases: error: ${f}`);
  if (failures.length > 0) process.exitCode = 1;
}

run().catch((e) => {
  console.error(`migrate-cases: ${e.stack || e}`);
  process.exitCode = 1;
});
