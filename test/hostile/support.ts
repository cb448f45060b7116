/**
 * Shared checks for hostile input (issue #7 part 3): whatever the input, the built CLI either succeeds or fails
 * cleanly: exit 2, one `file:line:col: error: … [code]` line on stderr (where the problem has a position), no
 * stack trace, the `-o` file left exactly as it was and no temporary file beside it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BIN, fixedEnv, runCli, type CliResult } from "../support/run";

/** What the output file holds before each run; a clean failure leaves it so. */
export const PREVIOUS = "previous output, must survive a failed run\n";
/** The `-o` argument of every run, relative to the project folder; its folder holds nothing else. */
export const OUTPUT = "out/docker-bake.json";

/** A temporary project from text or bytes, with OUTPUT pre-created. */
export function hostileProject(files: Record<string, string | Buffer>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-hostile-")));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  fs.mkdirSync(path.join(dir, path.dirname(OUTPUT)), { recursive: true });
  fs.writeFileSync(path.join(dir, OUTPUT), PREVIOUS);
  return dir;
}

/** Runs the built CLI with `-o OUTPUT` added. */
export function runHostile(dir: string, args: string[] = [], env?: Record<string, string>): CliResult {
  return runCli([...args, "-o", OUTPUT], { cwd: dir, env: env ?? fixedEnv() });
}

export interface Failure {
  /** The whole stderr line after `file:line:col: ` (or after `file: `, or the start), or a pattern for it. */
  readonly message: string | RegExp;
  /**
   * "line": the line starts with `<file>:<line>:<col>: error: `; "file": with `<file>: error: `; "none": with
   * `error: ` (there is no file to point at); default "line".
   */
  readonly position?: "line" | "file" | "none";
  /** The file the position names, as printed (relative to the project folder); default compose.yaml. */
  readonly file?: string;
}

/** A clean failure: exit 2, one error line, no stack, the output untouched, no temporary file left. */
export function expectCleanFailure(r: CliResult, dir: string, expected: Failure): void {
  const where = `stderr was:\n${r.stderr}`;
  expect({ status: r.status, where }).toEqual({ status: 2, where });
  expect(r.stderr).not.toContain("\n    at ");
  expect(r.stderr).not.toContain("internal error");
  expect(r.stdout).toBe("");
  const lines = r.stderr.replace(/\n$/, "").split("\n");
  expect(lines).toHaveLength(1);
  const line = lines[0]!;
  const file = escapeRegExp(expected.file ?? "compose.yaml");
  const prefix = {
    line: new RegExp(`^${file}:(\\d+):(\\d+): error: `),
    file: new RegExp(`^${file}: error: `),
    none: /^(compose2bake: )?error: /,
  }[expected.position ?? "line"];
  expect(line).toMatch(prefix);
  const rest = line.replace(prefix, "");
  if (typeof expected.message === "string") expect(rest).toBe(expected.message);
  else expect(rest).toMatch(expected.message);
  expectOutputUntouched(dir);
}

export function expectOutputUntouched(dir: string): void {
  expect(fs.readFileSync(path.join(dir, OUTPUT), "utf8")).toBe(PREVIOUS);
  expect(fs.readdirSync(path.join(dir, path.dirname(OUTPUT)))).toEqual([path.basename(OUTPUT)]);
}

/** The `line:col` of a clean failure's position, to check where it points. */
export function positionOf(r: CliResult): { line: number; column: number } {
  const m = /^[^:\n]+:(\d+):(\d+): /.exec(r.stderr);
  if (!m) throw new Error(`no position in ${JSON.stringify(r.stderr)}`);
  return { line: Number(m[1]), column: Number(m[2]) };
}

/** True when this process can read any file whatever its mode (root, or CAP_DAC_OVERRIDE). */
export function readsEverything(): boolean {
  const probe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-probe-")), "f");
  fs.writeFileSync(probe, "x");
  fs.chmodSync(probe, 0o000);
  try {
    fs.readFileSync(probe);
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(path.dirname(probe), { recursive: true, force: true });
  }
}

let nobodyWorks: boolean | undefined;

/**
 * How to meet a permission error: directly when this process is subject to file modes, else (root) by running
 * the CLI as "nobody". Undefined, with a warning, when neither works (root, and the repository is not readable
 * by other users): the caller skips its test then.
 */
export function runUnprivileged(dir: string, args: string[]): CliResult | undefined {
  if (!readsEverything()) return runHostile(dir, args);
  if (nobodyWorks === undefined) {
    const r = spawnSync(process.execPath, [BIN, "--version"], {
      env: fixedEnv(),
      encoding: "utf8",
      uid: 65534,
      gid: 65534,
    });
    nobodyWorks = r.status === 0;
  }
  if (!nobodyWorks) {
    console.warn(
      "running as root and uid 65534 cannot run the CLI: skipping a permission test (chmod does not stop root)",
    );
    return undefined;
  }
  return runAsNobody(dir, args);
}

/**
 * Runs the built CLI as another user (uid/gid 65534, "nobody"): the way to meet a permission error when the
 * tests run as root. The project folder is opened up so that user can reach it.
 */
export function runAsNobody(dir: string, args: string[]): CliResult {
  fs.chmodSync(dir, 0o755);
  const r = spawnSync(process.execPath, [BIN, ...args, "-o", OUTPUT], {
    cwd: dir,
    env: fixedEnv(),
    encoding: "utf8",
    uid: 65534,
    gid: 65534,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes a large file in chunks, so that the test never holds it in memory. */
export function writeLargeFile(file: string, head: string, chunk: string, bytes: number, tail = ""): void {
  const fd = fs.openSync(file, "w");
  try {
    fs.writeSync(fd, head);
    const block = chunk.repeat(Math.max(1, Math.floor((1 << 20) / chunk.length)));
    let written = head.length;
    while (written + block.length <= bytes) {
      fs.writeSync(fd, block);
      written += block.length;
    }
    fs.writeSync(fd, tail);
  } finally {
    fs.closeSync(fd);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
