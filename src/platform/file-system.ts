/**
 * The file-system interface of the core: every file the library looks at (Compose files, includes, extends, env
 * files, compose2bake.toml, the Dockerfiles and secret files it lists as inputs, `.git` for the warnings) goes
 * through one of these methods, so the same code runs on Node's file system (platform/node-fs.ts, the default) and on
 * files held in memory (platform/memory-fs.ts: the browser playground and tests). Nothing here imports Node.
 *
 * There is no `list`: nothing in the core lists a folder (Compose file discovery probes its four names with
 * `stat`, as compose-go does).
 */

export interface FileStat {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}

export interface FileSystem {
  /** Follows symbolic links. Throws an error whose `code` is the POSIX name (ENOENT, EACCES, ELOOP, …). */
  stat(path: string): FileStat;
  /** The bytes of a file, or undefined when it holds more than `limit` bytes. Throws like `stat`. */
  read(path: string, limit: number): Uint8Array | undefined;
  /**
   * The absolute path with symbolic links resolved, also where it does not exist (yet): the missing part is
   * joined to the resolved folder as written. Never throws.
   */
  realpath(path: string): string;
  /** Standard input (`-f -`), or undefined past `limit` bytes; absent where there is none. */
  readStdin?(limit: number): Uint8Array | undefined;
  /**
   * Runs git with `args` in the work tree `root` and returns its standard output when it exits with one of
   * `ok`; undefined when git is missing or fails. Absent: the warnings about inputs git lacks are not given.
   */
  git?(
    root: string,
    args: readonly string[],
    env: Readonly<Record<string, string | undefined>>,
    ok: readonly number[],
    input?: string,
  ): string | undefined;
}

/** An error with a POSIX code, as Node's file-system errors carry one (fsErrorText turns it into Go's words). */
export class FileSystemError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The stat of `p`, or undefined when it cannot be had (missing, unreadable). */
export function statOrUndefined(fs: FileSystem, p: string): FileStat | undefined {
  try {
    return fs.stat(p);
  } catch {
    return undefined;
  }
}

export function isFile(fs: FileSystem, p: string): boolean {
  return statOrUndefined(fs, p)?.isFile ?? false;
}

/**
 * Whether `p` is there but neither a regular file nor a folder: a named pipe, a socket or a device (`/dev/tty`,
 * `/dev/stdin`), whose reading may wait for a writer or a keyboard forever.
 */
export function isSpecialFile(fs: FileSystem, p: string): boolean {
  const s = statOrUndefined(fs, p);
  return s !== undefined && !s.isFile && !s.isDirectory;
}

export function isDirectory(fs: FileSystem, p: string): boolean {
  return statOrUndefined(fs, p)?.isDirectory ?? false;
}

export function exists(fs: FileSystem, p: string): boolean {
  return statOrUndefined(fs, p) !== undefined;
}

// ignoreBOM: a BOM stays in the text, as Buffer.toString kept it (callers that skip one do it themselves).
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** UTF-8 text; invalid sequences become U+FFFD (as docker compose shows them), a leading BOM is kept. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
