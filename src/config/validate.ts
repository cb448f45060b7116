/**
 * Validation of a parsed compose2bake.toml: every unknown key and wrong type reported at once, each at
 * `compose2bake.toml:LINE:COL` (toml-positions.ts finds the key or value), and the typed Config built from what
 * is valid. load.ts finds, reads and parses the file.
 */
import * as path from "../platform/path";
import { TARGET_ATTRIBUTE_KINDS } from "../bake/escape";
import { TARGET_ATTRIBUTE_ORDER, type BakeGroup, type BakeTarget } from "../bake/model";
import { dict, hasOwn } from "../dict";
import {
  CompileError,
  sortDiagnostics,
  type Diagnostic,
  type DiagnosticCode,
  type SourceFile,
  type SourcePos,
} from "../diagnostics";
import { outputFormatProblem, type OutputFormat } from "../emit";
import type { BakeCustomization } from "../bake/customize";
import { locateToml, type TomlPath } from "./toml-positions";

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

export class Validator {
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
    const strings = (key: string): string[] | undefined =>
      this.check([key], doc[key], "strings") as string[] | undefined;
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
        const checked = this.check(
          at,
          v,
          kind === "list" ? "strings" : kind === "map" ? "map" : kind === "bool" ? "boolean" : "string",
        );
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
        if (key !== "targets" && key !== "description")
          this.unknownKey(["group", name, key], ["targets", "description"]);
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
          this.error(
            "config-type",
            `${showPath([...at, i])} must be a string, not ${describe(item)}`,
            [...at, i],
            "value",
          );
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
          this.error(
            "config-type",
            `${showPath([...at, k])} must be a string, not ${describe(v)}`,
            [...at, k],
            "value",
          );
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

  private error(code: DiagnosticCode, message: string, at: TomlPath, prefer: "key" | "value"): void {
    this.errors.push({ severity: "error", code, message, pos: this.pos(at, prefer) });
  }

  /** The position of `at` (its value or its key), else of the nearest enclosing key; else just the file. */
  pos(at: TomlPath, prefer: "key" | "value"): SourcePos {
    const first =
      prefer === "value"
        ? (this.positions.value(at) ?? this.positions.key(at))
        : (this.positions.key(at) ?? this.positions.value(at));
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
