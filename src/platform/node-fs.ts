/**
 * The FileSystem on Node's `fs` (the default outside the browser), plus the reading helpers the CLI shares.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { FileStat, FileSystem } from "./file-system";

export const nodeFileSystem: FileSystem = {
  stat(p: string): FileStat {
    const s = fs.statSync(p);
    return { isFile: s.isFile(), isDirectory: s.isDirectory() };
  },
  read: readAtMost,
  realpath: (p) => realPath(p),
  readStdin: (limit) => readFdAtMost(0, limit),
  git: runGit,
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
    if (fs.lstatSync(here, { throwIfNoEntry: false })?.isSymbolicLink())
      return realPath(path.resolve(folder, fs.readlinkSync(here)), depth + 1);
  } catch {
    // not readable as a link: the name is the answer
  }
  return here;
}

function runGit(
  root: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  ok: readonly number[],
  input?: string,
): string | undefined {
  // Loaded here: most runs never start git, and need not load child_process.
  const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
  const r = spawnSync("git", args, {
    input,
    cwd: root,
    env: { ...env, GIT_OPTIONAL_LOCKS: "0" } as NodeJS.ProcessEnv,
    encoding: "utf8",
    timeout: 10_000,
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "ignore"],
  });
  return r.status !== null && ok.includes(r.status) && typeof r.stdout === "string" ? r.stdout : undefined;
}
