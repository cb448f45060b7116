/**
 * Public API of compose2bake. Everything a caller needs is re-exported here by name; other modules are internal.
 *
 *   import { compose2bake } from "compose2bake";
 *   const { text, diagnostics } = compose2bake({ cwd: process.cwd(), env: process.env, format: "hcl" });
 *
 * The library never reads `process`, never prints and never exits: the environment, folders and options
 * arrive as arguments, problems come back as diagnostics or a thrown CompileError.
 */
import * as path from "node:path";
import { convertProject } from "./bake/convert";
import { applyKeptVariables } from "./bake/variables";
import { emitJson } from "./bake/json";
import { checkOutputSize } from "./bake/size";
import type { BakeFile } from "./bake/model";
import { loadProject, type LoadOptions } from "./compose/load";
import type { ComposeProject } from "./compose/model";
import { DiagnosticBag, sortDiagnostics, type Diagnostic } from "./diagnostics";
import { customizeBake } from "./bake/customize";
import { formatFromFileName, withConfig, type Config } from "./config";

export type OutputFormat = "json" | "hcl";

export interface Compose2BakeOptions extends LoadOptions {
  /** Output format; default: from `outputFile`'s extension, else JSON. */
  readonly format?: OutputFormat;
  /** Where the result will be written; paths in the output are made relative to its folder. */
  readonly outputFile?: string;
  /** Write absolute local paths instead of relative ones. */
  readonly absolutePaths?: boolean;
  /**
   * Settings from compose2bake.toml (see `loadConfig`): defaults for the options above, which win over them,
   * and the renames, target attributes and groups applied to the converted bake file.
   */
  readonly config?: Config;
}

export interface Compose2BakeResult {
  readonly text: string;
  readonly format: OutputFormat;
  readonly bake: BakeFile;
  readonly project: ComposeProject;
  /** Warnings, sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Loads a Compose project, converts it and emits the bake file text. Throws CompileError on invalid input.
 * By default `${VAR…}` references become bake variables (`variables: "keep"`); `variables: "resolve"`
 * substitutes them from `env` like `docker compose build --print`.
 */
export function compose2bake(given: Compose2BakeOptions): Compose2BakeResult {
  const options = withConfig(given, given.config);
  const diagnostics = new DiagnosticBag();
  const project = loadProject({ ...options, variables: options.variables ?? "keep" }, diagnostics);
  const outputDir = options.outputFile ? path.dirname(path.resolve(options.cwd, options.outputFile)) : options.cwd;
  let bake = convertProject(project, { outputDir, absolutePaths: options.absolutePaths }, diagnostics);
  if (project.kept) {
    // COMPOSE_PROJECT_NAME is the project name for Compose, whatever the environment says: write it as text.
    const envFileVariables = new Set([...project.envFileVariables, ...project.includedEnvFileVariables.keys()]);
    bake = applyKeptVariables(bake, project.kept, diagnostics, envFileVariables, { COMPOSE_PROJECT_NAME: project.name });
  }
  bake = customizeBake(bake, options.config?.customize);
  const format = options.format ?? formatFromFileName(options.outputFile) ?? "json";
  const text = emit(bake, format);
  return { text, format, bake, project, diagnostics: sortDiagnostics(diagnostics.all) };
}

export function emit(bake: BakeFile, format: OutputFormat): string {
  checkOutputSize(bake);
  if (format === "json") return emitJson(bake);
  // Loaded on demand: handlebars is only needed for HCL output, and most runs should not pay for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hcl = require("./bake/hcl") as typeof import("./bake/hcl");
  return hcl.emitHcl(bake);
}

export { loadProject, type LoadOptions } from "./compose/load";
export { convertProject, type ConvertOptions } from "./bake/convert";
export { emitJson } from "./bake/json";
export type { BakeFile, BakeGroup, BakeString, BakeTarget, BakeTemplate, BakeVariable } from "./bake/model";
export type {
  ComposeBuild,
  ComposeProject,
  ComposeSecret,
  ComposeService,
  ComposeServiceSecret,
  ComposeSsh,
} from "./compose/model";
export { CompileError, DiagnosticBag, formatDiagnostic, sortDiagnostics, type Diagnostic, type SourcePos } from "./diagnostics";
export { CONFIG_FILE_NAME, formatFromFileName, loadConfig, parseConfig, readConfig, withConfig, type Config, type FindConfigOptions } from "./config";
export { customizeBake, type BakeCustomization } from "./bake/customize";
