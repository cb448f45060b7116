/**
 * Which compose files a project is made of, as compose-go's CLI options decide (compose-loading-reference.md §4):
 * `-f` files, else COMPOSE_FILE, else the first default name found walking up from the working folder,
 * plus the override file beside it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fail } from "../diagnostics";
import type { DiagnosticBag } from "../diagnostics";

export const DEFAULT_FILE_NAMES = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];
export const DEFAULT_OVERRIDE_NAMES = [
  "compose.override.yml",
  "compose.override.yaml",
  "docker-compose.override.yml",
  "docker-compose.override.yaml",
];

/**
 * Why a file cannot be opened, in the words Go's errors use (docker compose prints `open <file>: <this>`):
 * undefined when `stat` succeeds.
 */
export function statProblem(p: string): string | undefined {
  try {
    fs.statSync(p);
    return undefined;
  } catch (e) {
    return fsErrorText(e);
  }
}

/** The strerror text of a Node file-system error (`ELOOP` → "too many levels of symbolic links"). */
export function fsErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return (code && ERRNO_TEXT[code]) ?? (code ? `cannot be read (${code})` : "cannot be read");
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ELOOP: "too many levels of symbolic links",
  ENOTDIR: "not a directory",
  EISDIR: "is a directory",
  ENAMETOOLONG: "file name too long",
  EIO: "input/output error",
  ENXIO: "no such device or address",
};

/** The content of a file, or undefined when it has more than `limit` bytes (`/dev/zero` never ends). */
export function readAtMost(file: string, limit: number): Buffer | undefined {
  const fd = fs.openSync(file, "r");
  try {
    return readFdAtMost(fd, limit);
  } finally {
    fs.closeSync(fd);
  }
}

/** What an open file descriptor (a file, a pipe: stdin) gives until its end, or undefined past `limit` bytes. */
export function readFdAtMost(fd: number, limit: number): Buffer | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
    let n: number;
    try {
      n = fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      // A non-blocking pipe with nothing in it yet: wait for the writer, as a blocking read would.
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      // Windows reports the end of a pipe as EOF
      if ((e as NodeJS.ErrnoException).code === "EOF") return Buffer.concat(chunks, total);
      throw e;
    }
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > limit) return undefined;
  }
}

export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Files named by COMPOSE_FILE, split on COMPOSE_PATH_SEPARATOR (default: the OS path-list separator). */
export function filesFromEnv(value: string, separator: string | undefined, cwd: string): string[] {
  const sep = separator && separator !== "" ? separator : path.delimiter;
  return value
    .split(sep)
    .filter((f) => f !== "")
    .map((f) => {
      const abs = path.resolve(cwd, f);
      // compose-go stats every COMPOSE_FILE entry first.
      if (!isFile(abs)) fail("compose-file-missing", `stat ${abs}: no such file or directory`);
      return abs;
    });
}

/** Default discovery: walk up from `start` to the first folder holding a default file name. */
export function discoverFiles(start: string, diagnostics: DiagnosticBag): string[] {
  let dir = path.resolve(start);
  for (;;) {
    const found = DEFAULT_FILE_NAMES.filter((n) => isFile(path.join(dir, n)));
    if (found.length > 0) {
      if (found.length > 1) {
        diagnostics.warn(
          "several-compose-files",
          `found multiple config files with supported names: ${found.map((f) => path.join(dir, f)).join(", ")}; using ${found[0]}`,
        );
      }
      const files = [path.join(dir, found[0]!)];
      const override = DEFAULT_OVERRIDE_NAMES.find((n) => isFile(path.join(dir, n)));
      if (override) files.push(path.join(dir, override));
      return files;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  fail("no-compose-file", `no configuration file provided: not found (looked for ${DEFAULT_FILE_NAMES.join(", ")} from ${path.resolve(start)} upwards)`);
}

/**
 * The path with symlinks resolved, also where it does not exist yet: a dangling symlink leads to the file it would
 * create, a missing file is its resolved folder joined with its name. A symlink loop is left as it is.
 */
export function realPath(file: string, depth = 0): string {
  try {
    // A missing file is common (a Dockerfile the project names but has not written, an output to create): asked
    // first without an exception, as realpathSync's ENOENT error costs more than the lookup itself.
    if (fs.statSync(file, { throwIfNoEntry: false }) !== undefined) return fs.realpathSync(file);
  } catch {
    // a loop, or a file where a folder should be: resolve what exists, step by step
  }
  const parent = path.dirname(file);
  if (parent === file || depth > 40) return file;
  const folder = realPath(parent, depth + 1);
  const here = path.join(folder, path.basename(file));
  try {
    if (fs.lstatSync(here, { throwIfNoEntry: false })?.isSymbolicLink()) return realPath(path.resolve(folder, fs.readlinkSync(here)), depth + 1);
  } catch {
    // not readable as a link: the name is the answer
  }
  return here;
}
