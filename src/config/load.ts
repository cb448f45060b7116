/**
 * compose2bake.toml: the settings a project commits so that everyone (and CI, and the pre-commit hook)
 * generates the same bake file with a bare `compose2bake`. Finds the file, parses it with smol-toml
 * (loaded only when a file exists), validates it and returns a typed Config; `withConfig` layers it under the
 * options given explicitly (index.ts).
 *
 * Precedence, per setting, highest first (README "compose2bake.toml" says the same):
 *   1. command-line flags (for the library: the options passed to compose2bake());
 *   2. compose2bake.toml;
 *   3. the environment: COMPOSE_FILE, COMPOSE_PROFILES, COMPOSE_ENV_FILES, COMPOSE_PROJECT_NAME (and `.env`);
 *   4. built-in defaults.
 * A list given on the command line replaces the file's list; it is not appended to it. `-o`/`--format` replace
 * `output`/`format` (the format is `--format`, else the `-o` file's extension, else `format`, else the extension
 * of `output`, else JSON). The bake customizations ([rename], [target.*], [group.*]) have no flags.
 *
 * Where: `--config FILE`, else `compose2bake.toml` in `--project-directory`, else in the current folder; there
 * is no search in parent folders (a committed setting should not depend on where the command is typed).
 * Relative paths in the file (files, env_files, project_directory, output) are relative to the file's folder.
 *
 * Every problem (syntax, unknown key, wrong type) is reported at `compose2bake.toml:LINE:COL`; all of them at
 * once. Syntax errors carry smol-toml's own position; for the rest, toml-positions.ts finds the key or value.
 * Tests: test/config.test.ts, test/cli/config.test.ts.
 */
import * as path from "../platform/path";
import { defaultFileSystem } from "../platform/default-fs";
import { decodeUtf8, isFile, type FileSystem } from "../platform/file-system";
import { MAX_FILE_BYTES } from "../compose/yaml";
import { CompileError, SourceFile, type DiagnosticCode } from "../diagnostics";
import { Validator, type Config } from "./validate";

export type { Config };

export const CONFIG_FILE_NAME = "compose2bake.toml";

export interface FindConfigOptions {
  /** Folder relative paths are resolved from. */
  readonly cwd: string;
  /** `--config FILE`: must exist. */
  readonly file?: string;
  /** `--project-directory`: where to look instead of `cwd`. */
  readonly projectDirectory?: string;
  /** Where to read it from (default: Node's file system). */
  readonly fs?: FileSystem;
}

/** The Config from `--config`, or from compose2bake.toml in the project directory; undefined when there is none. */
export function loadConfig(options: FindConfigOptions): Config | undefined {
  const fs = options.fs ?? defaultFileSystem();
  if (options.file !== undefined) {
    const file = path.resolve(options.cwd, options.file);
    if (!isFile(fs, file)) throw configError("config-missing", `open ${file}: no such file or directory`);
    return readConfig(file, fs);
  }
  const file = path.join(path.resolve(options.cwd, options.projectDirectory ?? "."), CONFIG_FILE_NAME);
  return isFile(fs, file) ? readConfig(file, fs) : undefined;
}

export function readConfig(file: string, fs: FileSystem = defaultFileSystem()): Config {
  // The same cap as Compose files: a settings file is never large, and a huge one must not exhaust memory.
  const bytes = fs.read(file, MAX_FILE_BYTES);
  if (!bytes)
    throw configError(
      "config-too-large",
      `read ${file}: compose2bake.toml is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`,
    );
  return parseConfig(new SourceFile(file, decodeUtf8(bytes)));
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing and validation

/** Parses and validates the text of a compose2bake.toml. Throws CompileError listing every problem. */
export function parseConfig(source: SourceFile): Config {
  // smol-toml rather than @iarna/toml: its tables have a null prototype and it checks keys with Object.hasOwn,
  // where @iarna/toml followed inherited members (`constructor.x = 1` wrote onto the global Object, and
  // `[target.constructor]` vanished); it also bounds nesting (maxDepth) instead of overflowing the stack.
  const toml = require("smol-toml") as typeof import("smol-toml");
  let doc: Record<string, unknown>;
  try {
    doc = toml.parse(source.text) as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof toml.TomlError)) throw e;
    // "Invalid TOML document: <sentence>\n\n<excerpt of the file>": keep the sentence, the position goes in front.
    let message = e.message
      .replace(/^Invalid TOML document: /, "")
      .replace(/\n[\s\S]*$/, "")
      .trim();
    const offset = offsetOf(source.text, e);
    // A string that runs into the end of its line is reported as the line break it meets.
    const next = source.text[offset];
    if (/^control characters are not allowed/.test(message) && (next === undefined || next === "\n" || next === "\r")) {
      message = "unterminated string";
    }
    throw new CompileError([
      { severity: "error", code: "config-syntax", message: `invalid TOML: ${message}`, pos: { file: source, offset } },
    ]);
  }
  return new Validator(source).config(doc);
}

/** The offset of smol-toml's 1-based line and column (clamped to the line). */
function offsetOf(text: string, err: { line: number; column: number }): number {
  let offset = 0;
  for (let line = 1; line < err.line; line++) {
    const nl = text.indexOf("\n", offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  const end = text.indexOf("\n", offset);
  return Math.min(offset + err.column - 1, end < 0 ? text.length : end);
}

function configError(code: DiagnosticCode, message: string): CompileError {
  return new CompileError([{ severity: "error", code, message }]);
}
