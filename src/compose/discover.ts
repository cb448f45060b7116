/**
 * Which compose files a project is made of, as compose-go's CLI options decide (compose-loading-reference.md §4):
 * `-f` files, else COMPOSE_FILE, else the first default name found walking up from the working folder,
 * plus the override file beside it.
 */
import * as path from "../platform/path";
import { fail } from "../diagnostics";
import type { DiagnosticBag } from "../diagnostics";
import { isFile, type FileSystem } from "../platform/file-system";

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
export function statProblem(fs: FileSystem, p: string): string | undefined {
  try {
    fs.stat(p);
    return undefined;
  } catch (e) {
    return fsErrorText(e);
  }
}

/** The strerror text of a file-system error (`ELOOP` → "too many levels of symbolic links"). */
export function fsErrorText(e: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string") return "cannot be read";
  return ERRNO_TEXT[code] ?? `cannot be read (${code})`;
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

/** Files named by COMPOSE_FILE, split on COMPOSE_PATH_SEPARATOR (default: the OS path-list separator). */
export function filesFromEnv(fs: FileSystem, value: string, separator: string | undefined, cwd: string): string[] {
  const sep = separator && separator !== "" ? separator : path.delimiter;
  return value
    .split(sep)
    .filter((f) => f !== "")
    .map((f) => {
      const abs = path.resolve(cwd, f);
      // compose-go stats every COMPOSE_FILE entry first.
      if (!isFile(fs, abs)) fail("compose-file-missing", `stat ${abs}: no such file or directory`);
      return abs;
    });
}

/** Default discovery: walk up from `start` to the first folder holding a default file name. */
export function discoverFiles(fs: FileSystem, start: string, diagnostics: DiagnosticBag): string[] {
  let dir = path.resolve(start);
  for (;;) {
    const found = DEFAULT_FILE_NAMES.filter((n) => isFile(fs, path.join(dir, n)));
    if (found.length > 0) {
      if (found.length > 1) {
        diagnostics.warn(
          "several-compose-files",
          `found multiple config files with supported names: ${found.map((f) => path.join(dir, f)).join(", ")}; using ${found[0]}`,
        );
      }
      const files = [path.join(dir, found[0]!)];
      const override = DEFAULT_OVERRIDE_NAMES.find((n) => isFile(fs, path.join(dir, n)));
      if (override) files.push(path.join(dir, override));
      return files;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  fail(
    "no-compose-file",
    `no configuration file provided: not found (looked for ${DEFAULT_FILE_NAMES.join(", ")} from ${path.resolve(start)} upwards)`,
  );
}
