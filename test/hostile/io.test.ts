/**
 * Hostile environment files and output paths: garbage in `.env`, `--env-file` at a folder or a device, `-o` at a
 * folder, under a file, in a read-only folder, at a FIFO or a symlink. docker compose 2.40.3's answers for the
 * env files are quoted; `-o` has no docker compose equivalent (shell `>` semantics are the model).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { BIN, fixedEnv, runCli } from "../support/run";
import {
  OUTPUT,
  PREVIOUS,
  expectCleanFailure,
  expectOutputUntouched,
  hostileProject,
  runHostile,
  runUnprivileged,
} from "./support";

const COMPOSE = {
  "compose.yaml": "services:\n  web:\n    build:\n      context: .\n      args:\n        A: ${A:-default}\n",
};

/** Runs the CLI as `node -- BIN …`: the `--` keeps Node itself from reading our `--env-file` (see below). */
function runGuarded(dir: string, args: string[]) {
  const r = spawnSync(process.execPath, ["--", BIN, ...args, "-o", OUTPUT], {
    cwd: dir,
    env: fixedEnv(),
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const argA = (dir: string): string => JSON.parse(fs.readFileSync(path.join(dir, OUTPUT), "utf8")).target.web.args.A;

describe("hostile env files", () => {
  test(".env full of binary garbage (docker compose: the same `unexpected character … in variable name`)", () => {
    const garbage = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256));
    const dir = hostileProject({ ...COMPOSE, ".env": garbage });
    expectCleanFailure(runHostile(dir, ["--resolve"]), dir, {
      file: ".env",
      message: /^failed to read .*\/\.env: line \d+: unexpected character ".*" in variable name \[env-file-syntax\]$/,
    });
  });

  test(".env with an unterminated quote", () => {
    const dir = hostileProject({ ...COMPOSE, ".env": 'A="unterminated\nB=1\n' });
    expectCleanFailure(runHostile(dir, ["--resolve"]), dir, {
      file: ".env",
      message: `failed to read ${dir}/.env: line 1: unterminated quoted value of "A" [env-file-syntax]`,
    });
  });

  test(".env with invalid UTF-8 in a value: read with U+FFFD, as docker compose's output shows it", () => {
    const dir = hostileProject({ ...COMPOSE, ".env": Buffer.from([0x41, 0x3d, 0xff, 0x78, 0x0a]) });
    const r = runHostile(dir, ["--resolve"]);
    expect(r.stderr).toBe("compose2bake: wrote out/docker-bake.json (1 target, 1 group)\n");
    expect(argA(dir)).toBe("\ufffdx");
  });

  test("a .env that is a folder is skipped, as docker compose skips it", () => {
    const dir = hostileProject({ ...COMPOSE, ".env/placeholder": "" });
    const r = runHostile(dir, ["--resolve"]);
    expect(r.stderr).toBe("compose2bake: wrote out/docker-bake.json (1 target, 1 group)\n");
    expect(argA(dir)).toBe("default");
  });

  // Was: silently skipped, as if there were no .env.
  test("a .env symlink loop (docker compose: `stat …/.env: too many levels of symbolic links`)", () => {
    const dir = hostileProject(COMPOSE);
    fs.symlinkSync(".env", path.join(dir, ".env"));
    expectCleanFailure(runHostile(dir, ["--resolve"]), dir, {
      position: "none",
      message: `stat ${dir}/.env: too many levels of symbolic links [env-file-unreadable]`,
    });
  });

  test("--env-file naming a folder (docker compose: `… is a directory`)", () => {
    const dir = hostileProject({ ...COMPOSE, "envdir/placeholder": "" });
    expectCleanFailure(runGuarded(dir, ["--env-file", "envdir"]), dir, {
      position: "none",
      message: `${dir}/envdir is a directory [env-file-directory]`,
    });
  });

  test("--env-file naming a missing file (docker compose: `couldn't find env file: …`)", () => {
    const dir = hostileProject(COMPOSE);
    expectCleanFailure(runGuarded(dir, ["--env-file=missing.env"]), dir, {
      position: "none",
      message: `couldn't find env file: ${dir}/missing.env [env-file-missing]`,
    });
  });

  // Was: read until memory ran out.
  test("--env-file /dev/zero is refused at the size limit", () => {
    const dir = hostileProject(COMPOSE);
    expectCleanFailure(runGuarded(dir, ["--env-file", "/dev/zero"]), dir, {
      position: "none",
      message: "read /dev/zero: env file is larger than 16 MiB [env-file-too-large]",
    });
  });

  /*
   * KNOWN, NOT FIXED: Node reads every `--env-file X` / `--env-file=X` in its argv, even after the script path
   * (nodejs/node#54232; still so in Node 20.20, and Node 26 still checks that the file exists), before any of
   * our code runs. So `compose2bake --env-file envdir` prints `node: envdir: invalid format` and exits 9, a
   * missing file gives `node: X: not found` (exit 9), and a NODE_OPTIONS line in the file is applied to our
   * process. Node stops at `--`, but passing it needs `#!/usr/bin/env -S node --`, which BusyBox's env (Alpine,
   * the usual CI image) refuses outright, and a `#!/bin/sh` launcher breaks npm's Windows shims: either would
   * break every run somewhere to mend an error message. The README documents it (and COMPOSE_ENV_FILES, which
   * Node does not read). These tests start passing if Node stops reading script arguments.
   */
  test.failing("the installed command with --env-file naming a folder exits 2, not Node's exit 9", () => {
    const dir = hostileProject({ ...COMPOSE, "envdir/placeholder": "" });
    const r = spawnSync(BIN, ["--env-file", "envdir", "-o", OUTPUT], { cwd: dir, env: fixedEnv(), encoding: "utf8" });
    expectCleanFailure({ status: r.status, stdout: r.stdout, stderr: r.stderr }, dir, {
      position: "none",
      message: `${dir}/envdir is a directory [env-file-directory]`,
    });
  });

  test.failing("NODE_OPTIONS in an --env-file never reaches Node", () => {
    const dir = hostileProject({
      ...COMPOSE,
      "inject.js": 'require("fs").writeFileSync(__dirname + "/INJECTED", "")\n',
    });
    fs.writeFileSync(path.join(dir, "ci.env"), `NODE_OPTIONS=--require ${path.join(dir, "inject.js")}\n`);
    const r = spawnSync(BIN, ["--env-file", "ci.env", "-o", OUTPUT], { cwd: dir, env: fixedEnv(), encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(dir, "INJECTED"))).toBe(false);
  });
});

/** Runs the CLI with a deadline: a read that waits for a writer must fail the test, not hang the suite. */
function runWithDeadline(dir: string, args: string[]) {
  const r = spawnSync(process.execPath, ["--", BIN, ...args, "-o", OUTPUT], {
    cwd: dir,
    env: fixedEnv(),
    encoding: "utf8",
    timeout: 15_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function mkfifo(file: string): void {
  const r = spawnSync("mkfifo", [file]);
  if (r.status !== 0) throw new Error(`mkfifo ${file} failed`);
}

// Was: waiting forever for a writer. A committed symlink to `/dev/tty` or `/dev/stdin` does the same in a hook
// run from a terminal; git cannot commit a FIFO, but a test can make one. Docker compose reads any of them.
describe("pipes and devices named by the project's files are refused, never waited on", () => {
  const BUILD = "services:\n  web:\n    build: .\n";
  test.each<[string, Record<string, string>, string, string, "line" | "none"]>([
    [".env", { "compose.yaml": BUILD }, ".env", "env-file-not-regular", "none"],
    [
      "an include",
      { "compose.yaml": `include:\n  - ./p.yaml\n${BUILD}` },
      "p.yaml",
      "compose-file-not-regular",
      "line",
    ],
    [
      "an extends file",
      { "compose.yaml": "services:\n  web:\n    build: .\n    extends:\n      file: ./p.yaml\n      service: x\n" },
      "p.yaml",
      "compose-file-not-regular",
      "line",
    ],
    [
      "an include's env_file",
      {
        "compose.yaml": `include:\n  - path: sub.yaml\n    env_file: ./p.env\n${BUILD}`,
        "sub.yaml": "services:\n  sub:\n    build: .\n",
      },
      "p.env",
      "env-file-not-regular",
      "line",
    ],
  ])("%s", (_name, files, fifo, code, position) => {
    const dir = hostileProject(files);
    mkfifo(path.join(dir, fifo));
    expectCleanFailure(runWithDeadline(dir, []), dir, {
      position,
      message: `open ${dir}/${fifo}: not a regular file [${code}]`,
    });
    expectOutputUntouched(dir);
  });

  test("`.env` linked to /dev/null reads as empty, as in docker compose", () => {
    const dir = hostileProject(COMPOSE);
    fs.symlinkSync("/dev/null", path.join(dir, ".env"));
    const r = runWithDeadline(dir, ["--resolve"]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 0,
      stderr: expect.stringMatching(/^compose2bake: wrote [^\n]*\n$/),
    });
    expect(argA(dir)).toBe("default");
  });

  // Env files are read more than once (COMPOSE_* variables first, as docker compose does), so `--env-file <(…)`
  // reads as empty the second time, for docker compose as for us: only `-f` is shown here.
  test("-f given on the command line may still be a pipe (`-f <(…)`)", async () => {
    const dir = hostileProject({ "c.yaml": COMPOSE["compose.yaml"] });
    mkfifo(path.join(dir, "compose.pipe"));
    // The writer in the background, as a shell's process substitution would start it.
    const writer = spawn("sh", ["-c", "cat c.yaml > compose.pipe"], { cwd: dir, stdio: "ignore" });
    const cli = spawn(
      process.execPath,
      ["--", BIN, "-f", "compose.pipe", "--project-directory", dir, "--resolve", "-o", OUTPUT],
      { cwd: dir, env: fixedEnv({ A: "from-env" }), stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    cli.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const deadline = setTimeout(() => cli.kill(), 15_000);
    const status = await new Promise<number | null>((resolve) => cli.on("close", resolve));
    clearTimeout(deadline);
    writer.kill();
    expect({ status, stderr }).toEqual({ status: 0, stderr: expect.stringMatching(/^compose2bake: wrote [^\n]*\n$/) });
    expect(argA(dir)).toBe("from-env");
  });
});

describe("hostile output paths", () => {
  const SIMPLE = { "compose.yaml": "services:\n  web:\n    build: .\n" };

  test("a missing parent folder is created", () => {
    const dir = hostileProject(SIMPLE);
    const r = runCli(["-o", "a/b/c/docker-bake.json"], { cwd: dir });
    expect(r).toEqual({
      status: 0,
      stdout: "",
      stderr: "compose2bake: wrote a/b/c/docker-bake.json (1 target, 1 group)\n",
    });
    expect(fs.readdirSync(path.join(dir, "a/b/c"))).toEqual(["docker-bake.json"]);
  });

  // Was: `compose2bake: error: EEXIST: file already exists, mkdir '…/file'`.
  test.each([["file/docker-bake.json"], ["file/sub/docker-bake.json"]])(
    "-o %s where `file` is a file: a clean error",
    (out) => {
      const dir = hostileProject({ ...SIMPLE, file: "a file\n" });
      const r = runCli(["-o", out], { cwd: dir });
      expectCleanFailure(r, dir, {
        position: "none",
        message: `cannot write ${dir}/${out}: ${dir}/file is not a directory`,
      });
      expect(fs.readFileSync(path.join(dir, "file"), "utf8")).toBe("a file\n");
      expect(fs.readdirSync(dir).sort()).toEqual(["compose.yaml", "file", "out"]);
    },
  );

  // Was: `EISDIR: illegal operation on a directory, rename '…/.outdir.<pid>.<time>.tmp' -> '…/outdir'`.
  test.each([["outdir"], ["outdir.json"], ["."]])("-o %s, a folder: a clean error, no temporary file left", (out) => {
    const dir = hostileProject({ ...SIMPLE, "outdir/keep": "", "outdir.json/keep": "" });
    const r = runCli(["-o", out, "--format", "json"], { cwd: dir });
    const shown = out === "." ? dir : `${dir}/${out}`;
    expectCleanFailure(r, dir, { position: "none", message: `cannot write ${shown}: it is a directory` });
    expect(fs.readdirSync(dir).sort()).toEqual(["compose.yaml", "out", "outdir", "outdir.json"]);
    expect(fs.readdirSync(path.dirname(dir)).filter((f) => f.startsWith(`.${path.basename(dir)}.`))).toEqual([]);
  });

  // Was: exit 1, "outdir does not exist".
  test("--check -o a folder: a clean error", () => {
    const dir = hostileProject({ ...SIMPLE, "outdir/keep": "" });
    expectCleanFailure(runCli(["--check", "-o", "outdir", "--format", "json"], { cwd: dir }), dir, {
      position: "none",
      message: `cannot read ${dir}/outdir: it is a directory`,
    });
  });

  // Was: an empty -o printed to stdout and exited 0, so a hook with an unset variable "passed" without writing.
  test("-o '' is a usage error", () => {
    const dir = hostileProject(SIMPLE);
    const r = runCli(["-o", ""], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "compose2bake: -o/--output needs a file name (or - for stdout)\nRun compose2bake --help for usage.\n",
    );
  });

  test("a read-only output folder: a clean error, the old file kept, no temporary file", () => {
    const dir = hostileProject(SIMPLE);
    fs.chmodSync(path.join(dir, path.dirname(OUTPUT)), 0o555);
    const r = runUnprivileged(dir, []);
    if (!r) return;
    expectCleanFailure(r, dir, { position: "none", message: `cannot write ${dir}/${OUTPUT}: permission denied` });
    expectOutputUntouched(dir);
  });

  // Was: the FIFO (or, as root, /dev/null, /dev/full or /dev/stdout) replaced by a regular file.
  test("-o a FIFO writes into it and leaves it a FIFO", () => {
    const dir = hostileProject(SIMPLE);
    const fifo = path.join(dir, "bake.fifo");
    if (spawnSync("mkfifo", [fifo]).status !== 0)
      return console.warn("mkfifo is not available: skipping the FIFO case");
    const reader = spawnSync(
      "sh",
      [
        "-c",
        `timeout 20 cat "${fifo}" > "${fifo}.out" & "${process.execPath}" "${BIN}" -o "${fifo}" --format json; wait`,
      ],
      {
        cwd: dir,
        env: fixedEnv(),
        encoding: "utf8",
      },
    );
    expect(reader.stderr).toBe("compose2bake: wrote bake.fifo (1 target, 1 group)\n");
    expect(reader.status).toBe(0);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true); // (before: replaced, and the reader waited for ever)
    expect(JSON.parse(fs.readFileSync(`${fifo}.out`, "utf8")).target.web.context).toBe(".");
  });

  // Was: written into whatever the link named. A link inside the project that leads out of it is refused (issue
  // #12: a committed symlink must not send the output elsewhere); a path outside the project is the user's choice.
  test("-o a symlink to this process's stdout is refused; -o /dev/stdout writes to stdout", () => {
    const dir = hostileProject(SIMPLE);
    fs.symlinkSync("/proc/self/fd/1", path.join(dir, "stdout.json"));
    // Through a shell pipe: Node gives a child a socket for stdout, which cannot be opened by name.
    const refused = spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" -o stdout.json | cat`], {
      cwd: dir,
      env: fixedEnv(),
      encoding: "utf8",
    });
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(
      /^compose2bake: error: refusing to write stdout\.json \(it resolves to \/proc\/.*\): it leads outside the project folder /,
    );
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" -o /dev/stdout --format json | cat`], {
      cwd: dir,
      env: fixedEnv(),
      encoding: "utf8",
    });
    expect(r.stderr).toBe("compose2bake: wrote /dev/stdout (1 target, 1 group)\n");
    expect(r.status).toBe(0);
    // Relative to the output file's folder, as always.
    expect(JSON.parse(r.stdout).target.web.context).toBe(path.relative("/dev", dir));
    expect(fs.lstatSync(path.join(dir, "stdout.json")).isSymbolicLink()).toBe(true);
  });

  // Was: the symlink replaced by a regular file.
  test("-o a symlink to a file replaces the file it points to, atomically, and keeps the link", () => {
    const dir = hostileProject({ ...SIMPLE, "shared/docker-bake.json": PREVIOUS });
    fs.symlinkSync("shared/docker-bake.json", path.join(dir, "docker-bake.json"));
    expect(runCli(["-o", "docker-bake.json"], { cwd: dir })).toEqual({
      status: 0,
      stdout: "",
      stderr: "compose2bake: wrote docker-bake.json (1 target, 1 group)\n",
    });
    expect(fs.lstatSync(path.join(dir, "docker-bake.json")).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, "shared/docker-bake.json"), "utf8")).toContain('"web"');
    expect(fs.readdirSync(path.join(dir, "shared"))).toEqual(["docker-bake.json"]);
    expect(runCli(["--check", "-o", "docker-bake.json"], { cwd: dir }).status).toBe(0);
  });

  test("-o a symlink loop: a clean error", () => {
    const dir = hostileProject(SIMPLE);
    fs.symlinkSync("loop.json", path.join(dir, "loop.json"));
    expectCleanFailure(runCli(["-o", "loop.json"], { cwd: dir }), dir, {
      position: "none",
      message: `cannot write ${dir}/loop.json: too many levels of symbolic links`,
    });
  });
});
