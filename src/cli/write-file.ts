/**
 * Atomic file replacement: write a temporary file beside the target, then rename it over the target, so a
 * reader (or a failed run) never sees a half-written bake file.
 *
 * The target is what the path names after following symlinks, as a shell's `>` would write it: a symlink is
 * kept and the file it points to is replaced; a device, FIFO or socket (`-o /dev/stdout`) is written into,
 * never replaced (as root, a rename over /dev/stdout would put a regular file there). Problems come back as
 * OutputErrors, with the Node error `code` and a message that names the output file, never the temporary one.
 *
 * The temporary file has a random name and is created exclusively without following symlinks (a planted
 * `.docker-bake.json.<…>.tmp` symlink cannot redirect the write); it takes the replaced file's mode and, where
 * permitted, its owner and group. SIGINT/SIGTERM while it exists remove it, then end the process with that signal.
 * A replaced file is a new file: hard links to the old one keep the old content (README "Limits").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readFdAtMost } from "../platform/node-fs";

/** Written in pieces of this size, with a turn of the event loop between them so a signal can be handled. */
const CHUNK = 1 << 20;

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const existing = statOf(file);
  if (existing?.isDirectory()) throw fileError("EISDIR", file, `cannot write ${file}: it is a directory`);
  // Into a device, FIFO or socket; or through a dangling symlink, creating the file it points to as `>` does.
  if ((existing && !existing.isFile()) || (!existing && isSymlink(file))) {
    try {
      fs.writeFileSync(file, text);
    } catch (e) {
      throw fileError(
        (e as NodeJS.ErrnoException).code ?? "EIO",
        file,
        `cannot write ${file}: ${describe(e as NodeJS.ErrnoException)}`,
      );
    }
    return;
  }
  let target = file;
  try {
    if (existing) target = fs.realpathSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw fileError(err.code ?? "EIO", file, `cannot write ${file}: ${describe(err)}`);
  }
  const dir = path.dirname(target);
  makeFolder(dir, file);
  const bytes = Buffer.from(text, "utf8");
  // Loaded here: most runs print to stdout and never need it.
  const { randomBytes } = require("node:crypto") as typeof import("node:crypto");
  const tmp = path.join(dir, `.${path.basename(target)}.${randomBytes(8).toString("hex")}.tmp`);
  let fd: number | undefined;
  const removeTmp = (): void => {
    if (fd !== undefined) fs.closeSync(fd);
    fd = undefined;
    fs.rmSync(tmp, { force: true });
  };
  const guard = new SignalGuard(removeTmp);
  try {
    const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
    fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | (O_NOFOLLOW ?? 0), 0o644);
    if (existing) keepModeAndOwner(fd, existing);
    for (let offset = 0; offset < bytes.length;) {
      const end = Math.min(bytes.length, offset + CHUNK);
      while (offset < end) offset += fs.writeSync(fd, bytes, offset, end - offset);
      if (offset < bytes.length) await nextTurn();
    }
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
  } catch (e) {
    removeTmp();
    const err = e as NodeJS.ErrnoException;
    throw fileError(err.code ?? "EIO", file, `cannot write ${file}: ${describe(err)}`);
  } finally {
    // A signal that arrived during the last (or only) piece is handled here, while the guard still listens.
    await nextTurn();
    guard.release();
  }
}

/** The replaced file's permission bits (the umask would narrow them), and its owner where we may set it. */
function keepModeAndOwner(fd: number, old: fs.Stats): void {
  fs.fchmodSync(fd, old.mode & 0o777);
  if (typeof process.getuid !== "function") return;
  if (old.uid === process.getuid() && old.gid === process.getgid?.()) return;
  try {
    fs.fchownSync(fd, old.uid, old.gid);
  } catch {
    // Not permitted (another user's file in a folder we may write): the new file is ours, as with `cp`.
  }
}

/** Runs `cleanup` and re-raises SIGINT or SIGTERM if one arrives before `release`. */
class SignalGuard {
  private static readonly SIGNALS = ["SIGINT", "SIGTERM"] as const;
  private readonly handler = (signal: NodeJS.Signals): void => {
    this.release();
    try {
      this.cleanup();
    } finally {
      // No listener is left, so the default action applies: the process ends as killed by `signal`.
      process.kill(process.pid, signal);
    }
  };

  constructor(private readonly cleanup: () => void) {
    for (const s of SignalGuard.SIGNALS) process.on(s, this.handler);
  }

  release(): void {
    for (const s of SignalGuard.SIGNALS) process.removeListener(s, this.handler);
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** An existing file's content, or why it cannot be compared (`--check`, `--fail-on-change`). */
export type Existing =
  { readonly kind: "missing" } | { readonly kind: "text"; readonly text: string } | { readonly kind: "too-large" };

/**
 * Reads the output file to compare with: only a regular file (a FIFO would block, `/dev/zero` never ends, a
 * device is not a bake file), at most `limit` bytes (more is reported as "too-large", never read).
 */
export function readExisting(file: string, limit: number): Existing {
  const existing = statOf(file, "read");
  if (!existing) return { kind: "missing" };
  if (existing.isDirectory()) throw fileError("EISDIR", file, `cannot read ${file}: it is a directory`);
  if (!existing.isFile()) throw fileError("EINVAL", file, `cannot read ${file}: not a regular file`);
  let fd: number;
  try {
    // Non-blocking: if the file was swapped for a FIFO since the stat, the open must not wait for a writer.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw fileError(err.code ?? "EIO", file, `cannot read ${file}: ${describe(err)}`);
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw fileError("EINVAL", file, `cannot read ${file}: not a regular file`);
    const bytes = readFdAtMost(fd, limit);
    return bytes ? { kind: "text", text: bytes.toString("utf8") } : { kind: "too-large" };
  } catch (e) {
    if (e instanceof OutputError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw fileError(err.code ?? "EIO", file, `cannot read ${file}: ${describe(err)}`);
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether `file` is `folder` or below it (both absolute, compared as written). */
export function isInside(folder: string, file: string): boolean {
  const rel = path.relative(folder, file);
  return rel === "" || (!rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel));
}

/** stat, following symlinks; undefined when nothing is there (a symlink loop is an error). */
function statOf(file: string, verb: "read" | "write" = "write"): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT" || err.code === "ENOTDIR") return undefined;
    throw fileError(err.code ?? "EIO", file, `cannot ${verb} ${file}: ${describe(err)}`);
  }
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function makeFolder(dir: string, file: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EEXIST" || err.code === "ENOTDIR") {
      throw fileError(err.code, file, `cannot write ${file}: ${blockingFile(dir)} is not a directory`);
    }
    throw fileError(err.code ?? "EIO", file, `cannot write ${file}: cannot create ${dir}: ${describe(err)}`);
  }
}

/** The nearest ancestor of `dir` (or `dir` itself) that exists but is not a directory. */
function blockingFile(dir: string): string {
  let blocking = dir;
  for (let p = dir; ; p = path.dirname(p)) {
    try {
      if (!fs.statSync(p).isDirectory()) blocking = p;
      else break;
    } catch {
      // not there: look further up
    }
    if (path.dirname(p) === p) break;
  }
  return blocking;
}

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  ENOTDIR: "not a directory",
  EISDIR: "it is a directory",
  ENOENT: "no such file or directory",
  EXDEV: "cross-device link",
};

function describe(err: NodeJS.ErrnoException): string {
  return (err.code && REASONS[err.code]) ?? err.message;
}

/**
 * The output (a file, or standard output) cannot be read or written: the user's environment, not a bug, so the
 * CLI reports it as `compose2bake: error: …` with exit 2.
 */
export class OutputError extends Error {
  constructor(
    /** Node's error code (`EACCES`, `EISDIR`, …). */
    readonly code: string,
    /** The output as the user named it (`-` for standard output). */
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "OutputError";
  }
}

function fileError(code: string, file: string, message: string): OutputError {
  return new OutputError(code, file, message);
}
