/**
 * compose2bake.toml: the settings a project commits so that everyone (and CI, and the pre-commit hook)
 * generates the same bake file with a bare `compose2bake`. Finds the file, parses it with smol-toml
 * (loaded only when a file exists), validates it and returns a typed Config; `withConfig` layers it under the
 * options given explicitly.
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
import * as path from "node:path";
import { isFile, readAtMost } from "./compose/discover";
import { MAX_FILE_BYTES } from "./compose/yaml";
import { dict, hasOwn } from "./dict";
import { CompileError, SourceFile, sortDiagnostics, type Diagnostic, type SourcePos } from "./diagnostics";
import { TARGET_ATTRIBUTE_KINDS } from "./bake/escape";
import { TARGET_ATTRIBUTE_ORDER, type BakeGroup, type BakeTarget } from "./bake/model";
import type { BakeCustomization } from "./bake/customize";
import { locateToml, type TomlPath } from "./toml-positions";
import type { Compose2BakeOptions, OutputFormat } from "./index";

export const CONFIG_FILE_NAME = "compose2bake.toml";

export interface Config {
  /** Absolute path of the file the settings came from (messages name it); absent for a hand-built Config. */
  readonly file?: string;
  /** Compose files, absolute. */
  readonly files?: readonly string[];
  readonly profiles?: readonly string[];
  /** Env files, absolute. */
  readonly envFiles?: readonly string[];
  /** Absolute. */
  readonly projectDirectory?: string;
  readonly projectName?: string;
  readonly services?: readonly string[];
  /** The bake file to write, absolute. */
  readonly output?: string;
  readonly format?: OutputFormat;
  readonly variables?: "keep" | "resolve";
  readonly absolutePaths?: boolean;
  /** Renames, target attributes and extra groups, applied to the converted bake file. */
  readonly customize?: BakeCustomization;
}

export interface FindConfigOptions {
  /** Folder relative paths are resolved from. */
  readonly cwd: string;
  /** `--config FILE`: must exist. */
  readonly file?: string;
  /** `--project-directory`: where to look instead of `cwd`. */
  readonly projectDirectory?: string;
}

/** The Config from `--config`, or from compose2bake.toml in the project directory; undefined when there is none. */
export function loadConfig(options: FindConfigOptions): Config | undefined {
  if (options.file !== undefined) {
    const file = path.resolve(options.cwd, options.file);
    if (!isFile(file)) throw configError("config-missing", `open ${file}: no such file or directory`);
    return readConfig(file);
  }
  const file = path.join(path.resolve(options.cwd, options.projectDirectory ?? "."), CONFIG_FILE_NAME);
  return isFile(file) ? readConfig(file) : undefined;
}

export function readConfig(file: string): Config {
  // The same cap as Compose files: a settings file is never large, and a huge one must not exhaust memory.
  const bytes = readAtMost(file, MAX_FILE_BYTES);
  if (!bytes) throw configError("config-too-large", `read ${file}: compose2bake.toml is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
  return parseConfig(new SourceFile(file, bytes.toString("utf8")));
}

/**
 * Layers a Config under explicit options: a setting given in `options` wins, an empty list counts as not given.
 * Idempotent, so the CLI may apply it (to learn the output file) and compose2bake() again.
 */
export function withConfig(options: Compose2BakeOptions, config: Config | undefined): Compose2BakeOptions {
  if (!config) return options;
  const list = (given: readonly string[] | undefined, fromFile: readonly string[] | undefined): readonly string[] | undefined =>
    given && given.length > 0 ? given : (fromFile ?? given);
  return {
    ...options,
    files: list(options.files, config.files),
    profiles: list(options.profiles, config.profiles),
    envFiles: list(options.envFiles, config.envFiles),
    services: list(options.services, config.services),
    projectDirectory: options.projectDirectory ?? config.projectDirectory,
    projectName: options.projectName ?? config.projectName,
    outputFile: options.outputFile ?? config.output,
    format: options.format ?? formatFromFileName(options.outputFile) ?? config.format ?? formatFromFileName(config.output),
    variables: options.variables ?? config.variables,
    absolutePaths: options.absolutePaths ?? config.absolutePaths,
    config,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing and validation

type Kind = "string" | "strings" | "boolean" | { readonly oneOf: readonly string[] } | "rename" | "target" | "group";

/** The top-level keys, in the order `known keys` lists them. */
const TOP_LEVEL: Readonly<Record<string, Kind>> = {
  files: "strings",
  profiles: "strings",
  env_files: "strings",
  project_directory: "string",
  project_name: "string",
  services: "strings",
  output: "string",
  format: { oneOf: ["json", "hcl"] },
  variables: { oneOf: ["keep", "resolve"] },
  absolute_paths: "boolean",
  rename: "rename",
  target: "target",
  group: "group",
};

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
    let message = e.message.replace(/^Invalid TOML document: /, "").replace(/\n[\s\S]*$/, "").trim();
    const offset = offsetOf(source.text, e);
    // A string that runs into the end of its line is reported as the line break it meets.
    const next = source.text[offset];
    if (/^control characters are not allowed/.test(message) && (next === undefined || next === "\n" || next === "\r")) {
      message = "unterminated string";
    }
    throw new CompileError([{ severity: "error", code: "config-syntax", message: `invalid TOML: ${message}`, pos: { file: source, offset } }]);
  }
  return new Validator(source).config(doc);
}

class Validator {
  private readonly errors: Diagnostic[] = [];
  private readonly positions;
  private readonly dir: string;

  constructor(private readonly source: SourceFile) {
    this.positions = locateToml(source.text);
    this.dir = path.dirname(source.path);
  }

  config(doc: Record<string, unknown>): Config {
    const out: {
      -readonly [K in keyof Config]: Config[K];
    } = { file: this.source.path };
    for (const key of Object.keys(doc)) {
      if (!hasOwn(TOP_LEVEL, key)) this.unknownKey([key], Object.keys(TOP_LEVEL));
    }
    const strings = (key: string): string[] | undefined => this.check([key], doc[key], "strings") as string[] | undefined;
    const pathList = (key: string): string[] | undefined => strings(key)?.map((p) => this.resolve(p));
    const str = (key: string): string | undefined => this.check([key], doc[key], "string") as string | undefined;

    out.files = pathList("files");
    out.profiles = strings("profiles");
    out.envFiles = pathList("env_files");
    const projectDirectory = str("project_directory");
    if (projectDirectory !== undefined) out.projectDirectory = this.resolve(projectDirectory);
    out.projectName = str("project_name");
    out.services = strings("services");
    const output = str("output");
    if (output !== undefined) out.output = this.resolve(output);
    out.format = this.check(["format"], doc.format, TOP_LEVEL.format!) as OutputFormat | undefined;
    out.variables = this.check(["variables"], doc.variables, TOP_LEVEL.variables!) as "keep" | "resolve" | undefined;
    out.absolutePaths = this.check(["absolute_paths"], doc.absolute_paths, "boolean") as boolean | undefined;
    // An unknown extension is the CLI's to refuse (a flag may name the format); a contradiction is this file's.
    const mismatch = out.format ? outputFormatProblem(out.format, output) : undefined;
    if (mismatch) this.error("config-format-mismatch", mismatch, ["format"], "value");

    const rename = this.rename(doc.rename);
    const targets = this.targets(doc.target);
    const groups = this.groups(doc.group);
    if (rename || targets || groups) {
      out.customize = {
        ...(rename && { rename }),
        ...(targets && { targets }),
        ...(groups && { groups }),
        locate: (p) => this.pos(p, "key"),
      };
    }
    if (this.errors.length > 0) throw new CompileError(sortDiagnostics(this.errors));
    // Drop unset keys so a Config prints (and compares in tests) as what the file says.
    for (const k of Object.keys(out) as Array<keyof Config>) if (out[k] === undefined) delete out[k];
    return out;
  }

  private rename(value: unknown): Record<string, string> | undefined {
    if (value === undefined) return undefined;
    if (!this.isTable(["rename"], value, 'a table of old name = "new name"')) return undefined;
    const out = dict<string>();
    for (const [from, to] of Object.entries(value)) {
      const checked = this.check(["rename", from], to, "string") as string | undefined;
      if (checked !== undefined) out[from] = checked;
    }
    return out;
  }

  private targets(value: unknown): Record<string, BakeTarget> | undefined {
    if (value === undefined) return undefined;
    if (!this.isTable(["target"], value, 'a table of target tables ([target."*"], [target.NAME])')) return undefined;
    const out = dict<BakeTarget>();
    for (const [name, attrs] of Object.entries(value)) {
      if (!this.isTable(["target", name], attrs, "a table of bake target attributes")) continue;
      const t: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(attrs)) {
        const at = ["target", name, key];
        if (!hasOwn(TARGET_ATTRIBUTE_KINDS, key)) {
          this.unknownKey(at, TARGET_ATTRIBUTE_ORDER, "bake target attribute");
          continue;
        }
        const kind = TARGET_ATTRIBUTE_KINDS[key as keyof BakeTarget];
        const checked = this.check(at, v, kind === "list" ? "strings" : kind === "map" ? "map" : kind === "bool" ? "boolean" : "string");
        if (checked !== undefined) t[key] = checked;
      }
      out[name] = t as BakeTarget;
    }
    return out;
  }

  private groups(value: unknown): Record<string, BakeGroup> | undefined {
    if (value === undefined) return undefined;
    if (!this.isTable(["group"], value, "a table of group tables ([group.NAME])")) return undefined;
    const out = dict<BakeGroup>();
    for (const [name, g] of Object.entries(value)) {
      if (!this.isTable(["group", name], g, "a table with targets = [...]")) continue;
      for (const key of Object.keys(g)) {
        if (key !== "targets" && key !== "description") this.unknownKey(["group", name, key], ["targets", "description"]);
      }
      const targets = this.check(["group", name, "targets"], g.targets, "strings") as string[] | undefined;
      const description = this.check(["group", name, "description"], g.description, "string") as string | undefined;
      if (g.targets === undefined) {
        this.error("config-type", `${showPath(["group", name])} needs targets = ["...", ...]`, ["group", name], "key");
      }
      if (targets !== undefined) out[name] = description !== undefined ? { targets, description } : { targets };
    }
    return out;
  }

  /** The value if it has the kind, else undefined (and an error, unless the value is absent). */
  private check(at: TomlPath, value: unknown, kind: Kind | "map"): unknown {
    if (value === undefined) return undefined;
    const wrong = (expected: string): undefined => {
      this.error("config-type", `${showPath(at)} must be ${expected}, not ${describe(value)}`, at, "value");
      return undefined;
    };
    if (kind === "string") return typeof value === "string" ? value : wrong("a string");
    if (kind === "boolean") return typeof value === "boolean" ? value : wrong("a boolean (true or false)");
    if (kind === "strings") {
      if (!Array.isArray(value)) return wrong('an array of strings (["..."])');
      let ok = true;
      value.forEach((item, i) => {
        if (typeof item !== "string") {
          ok = false;
          this.error("config-type", `${showPath([...at, i])} must be a string, not ${describe(item)}`, [...at, i], "value");
        }
      });
      return ok ? [...(value as string[])] : undefined;
    }
    if (kind === "map") {
      if (!isPlainTable(value)) return wrong('a table of strings ({ KEY = "value" })');
      let ok = true;
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") {
          ok = false;
          this.error("config-type", `${showPath([...at, k])} must be a string, not ${describe(v)}`, [...at, k], "value");
        }
      }
      return ok ? dict(Object.entries(value as Record<string, string>)) : undefined;
    }
    if (typeof kind === "object") {
      const choices = kind.oneOf.map((c) => `"${c}"`).join(" or ");
      if (typeof value !== "string") return wrong(choices);
      if (!kind.oneOf.includes(value)) {
        this.error("config-invalid-value", `${showPath(at)} must be ${choices}, not "${value}"`, at, "value");
        return undefined;
      }
      return value;
    }
    throw new Error(`internal error: no check for kind ${String(kind)}`);
  }

  private isTable(at: TomlPath, value: unknown, expected: string): value is Record<string, unknown> {
    if (isPlainTable(value)) return true;
    this.error("config-type", `${showPath(at)} must be ${expected}, not ${describe(value)}`, at, "value");
    return false;
  }

  private unknownKey(at: TomlPath, knownKeys: readonly string[], what = "key"): void {
    const where = at.length > 1 ? ` in ${showPath(at.slice(0, -1))}` : "";
    this.error(
      "config-unknown-key",
      `unknown ${what} ${JSON.stringify(String(at[at.length - 1]))}${where} (known: ${knownKeys.join(", ")})`,
      at,
      "key",
    );
  }

  private error(code: string, message: string, at: TomlPath, prefer: "key" | "value"): void {
    this.errors.push({ severity: "error", code, message, pos: this.pos(at, prefer) });
  }

  /** The position of `at` (its value or its key), else of the nearest enclosing key; else just the file. */
  pos(at: TomlPath, prefer: "key" | "value"): SourcePos {
    const first = prefer === "value" ? this.positions.value(at) ?? this.positions.key(at) : this.positions.key(at) ?? this.positions.value(at);
    if (first !== undefined) return { file: this.source, offset: first };
    for (let n = at.length - 1; n > 0; n--) {
      const offset = this.positions.key(at.slice(0, n)) ?? this.positions.value(at.slice(0, n));
      if (offset !== undefined) return { file: this.source, offset };
    }
    return { file: this.source };
  }

  private resolve(p: string): string {
    return path.resolve(this.dir, p);
  }
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

/** A TOML path written as TOML writes it: `target."*".platforms[1]`. */
export function showPath(at: TomlPath): string {
  let out = "";
  for (const part of at) {
    if (typeof part === "number") out += `[${part}]`;
    else out += (out === "" ? "" : ".") + (/^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part));
  }
  return out;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  if (isPlainTable(value)) return "a table";
  if (typeof value === "string") return `a string (${JSON.stringify(value)})`;
  if (typeof value === "number" || typeof value === "bigint") return `a number (${String(value)})`;
  if (typeof value === "boolean") return `a boolean (${value})`;
  return typeof value;
}

function isPlainTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** `.hcl` → HCL, `.json` → JSON, anything else: no opinion. */
export function formatFromFileName(file: string | undefined): OutputFormat | undefined {
  const ext = file ? path.extname(file).toLowerCase() : "";
  return ext === ".hcl" ? "hcl" : ext === ".json" ? "json" : undefined;
}

/**
 * The one check of an output file name against the format asked for (`--format`, or `format` beside `output` in
 * compose2bake.toml): a `.json`/`.hcl` name must match it, and any other name needs it (JSON written to
 * `out.yml` is read back by bake as a Compose file). Undefined when they agree; `shown` is the name to print.
 */
export function outputFormatProblem(format: OutputFormat | undefined, file: string | undefined, shown = file): string | undefined {
  if (file === undefined) return undefined;
  const fromName = formatFromFileName(file);
  if (!fromName) {
    return format ? undefined : `cannot tell the output format from the name ${shown}: name it .json or .hcl, or give --format json or --format hcl`;
  }
  return format && format !== fromName ? `the format ${format} does not match the output file's extension (${shown})` : undefined;
}

function configError(code: string, message: string): CompileError {
  return new CompileError([{ severity: "error", code, message }]);
}
