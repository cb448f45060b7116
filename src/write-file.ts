/**
 * Atomic file replacement: write a temporary file beside the target, then rename it over the target, so a
 * reader (or a failed run) never sees a half-written bake file.
 *
 * The target is what the path names after following symlinks, as a shell's `>` would write it: a symlink is
 * kept and the file it points to is replaced; a device, FIFO or socket (`-o /dev/stdout`) is written into,
 * never replaced (as root, a rename over /dev/stdout would put a regular file there). Problems come back as
 * errors with `code` and `path` and a message that names the output file, never the temporary one.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function writeFileAtomic(file: string, text: string): void {
  const existing = statOf(file);
  if (existing?.isDirectory()) throw fileError("EISDIR", file, `cannot write ${file}: it is a directory`);
  // Into a device, FIFO or socket; or through a dangling symlink, creating the file it points to as `>` does.
  if ((existing && !existing.isFile()) || (!existing && isSymlink(file))) {
    try {
      fs.writeFileSync(file, text);
    } catch (e) {
      throw fileError((e as NodeJS.ErrnoException).code ?? "EIO", file, `cannot write ${file}: ${describe(e as NodeJS.ErrnoException)}`);
    }
    return;
  }
  const target = existing ? fs.realpathSync(file) : file;
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
  makeFolder(dir, file);
  try {
    fs.writeFileSync(tmp, text, { mode: existing ? existing.mode & 0o777 : 0o644 });
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    throw fileError(err.code ?? "EIO", file, `cannot write ${file}: ${describe(err)}`);
  }
}

/** The text of an existing output file (for `--check`); undefined when there is none. */
export function readExisting(file: string): string | undefined {
  const existing = statOf(file);
  if (!existing) return undefined;
  if (existing.isDirectory()) throw fileError("EISDIR", file, `cannot read ${file}: it is a directory`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw fileError(err.code ?? "EIO", file, `cannot read ${file}: ${describe(err)}`);
  }
}

/** stat, following symlinks; undefined when nothing is there (a symlink loop is an error). */
function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT" || err.code === "ENOTDIR") return undefined;
    throw fileError(err.code ?? "EIO", file, `cannot write ${file}: ${describe(err)}`);
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

function fileError(code: string, file: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, path: file });
}
