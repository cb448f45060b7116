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
import { collapseRepeats, DiagnosticBag, sortDiagnostics, type Diagnostic } from "./diagnostics";
import { customizeBake } from "./bake/customize";
import { formatFromFileName, withConfig, type Config } from "./config";
import { headerLines, regenerateCommand, type Regenerate } from "./regenerate";
import { runWarnings } from "./warnings";
import { realPath } from "./write-file";

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
  /**
   * Start the output with a comment (HCL) or a `"//"` key (JSON, which bake ignores) saying what it was
   * generated from, how to regenerate it and how to run bake. Default: true when `outputFile` is set.
   */
  readonly header?: boolean;
  /**
   * Warn about the run as a whole (default true): inputs git ignores or does not track (this runs `git` when
   * the project is in a work tree), a project name taken from the folder, an output that bake would merge with a
   * Compose file or must be run beside, nothing to build, an unknown profile.
   */
  readonly runWarnings?: boolean;
}

export interface Compose2BakeResult {
  readonly text: string;
  readonly format: OutputFormat;
  readonly bake: BakeFile;
  readonly project: ComposeProject;
  /** Warnings, sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
  /** With `outputFile`: the command that writes it again (the header and `--check`'s hint quote it). */
  readonly regenerate?: Regenerate;
  /**
   * Every local file the result was made from, as absolute real paths (symlinks resolved), sorted: the Compose
   * files (included and extended ones too), the env files read, compose2bake.toml, and the Dockerfiles, secret
   * files and ssh keys the project names (whether they exist or not). A caller must never write over one.
   */
  readonly inputs: readonly string[];
}

/**
 * Loads a Compose project, converts it and emits the bake file text. Throws CompileError on invalid input.
 * By default `${VAR…}` references become bake variables (`variables: "keep"`); `variables: "resolve"`
 * substitutes them from `env` like `docker compose build --print`.
 */
export function compose2bake(given: Compose2BakeOptions): Compose2BakeResult {
  const options = withConfig(given, given.config);
  const diagnostics = new DiagnosticBag();
  const read = new Set<string>();
  const project = loadProject({ ...options, variables: options.variables ?? "keep" }, diagnostics, read);
  const outputDir = options.outputFile ? path.dirname(path.resolve(options.cwd, options.outputFile)) : options.cwd;
  let bake = convertProject(project, { outputDir, absolutePaths: options.absolutePaths }, diagnostics);
  if (project.kept) {
    // COMPOSE_PROJECT_NAME is the project name for Compose, whatever the environment says: write it as text.
    // Included projects' env files are not listed: their values are the defaults of the variables they set.
    bake = applyKeptVariables(bake, project.kept, diagnostics, project.envFileVariables, { COMPOSE_PROJECT_NAME: project.name });
  }
  bake = customizeBake(bake, options.config?.customize);
  if (options.runWarnings !== false) {
    runWarnings(
      {
        cwd: options.cwd,
        env: options.env,
        project,
        bake,
        outputFile: options.outputFile,
        absolutePaths: options.absolutePaths ?? false,
        variables: options.variables ?? "keep",
        projectName: options.projectName,
        envFiles: options.envFiles,
        configFile: options.config?.file,
      },
      diagnostics,
    );
  }
  const format = options.format ?? formatFromFileName(options.outputFile) ?? "json";
  const regenerate = options.outputFile ? regenerateCommand({ ...options, format }, project.workingDir) : undefined;
  const header =
    regenerate && options.outputFile && options.header !== false
      ? headerLines({
          outputFile: path.resolve(options.cwd, options.outputFile),
          composeFiles: project.files,
          configFile: options.config?.file,
          regenerate,
          absolutePaths: options.absolutePaths ?? false,
        })
      : undefined;
  const text = emit(bake, format, header);
  const inputs = projectInputs(project, read, options.config?.file);
  return { text, format, bake, project, diagnostics: collapseRepeats(sortDiagnostics(diagnostics.all)), regenerate, inputs };
}

/** The files read while loading, plus the ones the project names for the build (see Compose2BakeResult.inputs). */
function projectInputs(project: ComposeProject, read: ReadonlySet<string>, configFile: string | undefined): string[] {
  const files = new Set(read);
  if (configFile) files.add(configFile);
  for (const service of Object.values(project.services)) {
    const b = service.build;
    if (!b) continue;
    // A remote context (git URL, tarball) is kept as written; a local one is absolute.
    if (path.isAbsolute(b.context) && b.dockerfile_inline === undefined) files.add(path.resolve(b.context, b.dockerfile ?? "Dockerfile"));
    for (const s of b.ssh) if (s.path) files.add(s.path);
  }
  for (const secret of Object.values(project.secrets)) if (secret.file) files.add(secret.file);
  return [...new Set([...files].map(realPath))].sort();
}

/** Writes the bake file; `comment` lines go first (HCL `#` lines, a JSON `"//"` key). */
export function emit(bake: BakeFile, format: OutputFormat, comment?: readonly string[]): string {
  checkOutputSize(bake);
  if (format === "json") return emitJson(bake, comment);
  // Loaded on demand: handlebars is only needed for HCL output, and most runs should not pay for it.
  const hcl = require("./bake/hcl") as typeof import("./bake/hcl");
  return hcl.emitHcl(bake, comment);
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
export { collapseRepeats, CompileError, DiagnosticBag, formatDiagnostic, sortDiagnostics, type Diagnostic, type SourcePos } from "./diagnostics";
export { CONFIG_FILE_NAME, formatFromFileName, outputFormatProblem, loadConfig, parseConfig, readConfig, withConfig, type Config, type FindConfigOptions } from "./config";
export { customizeBake, type BakeCustomization } from "./bake/customize";
export { regenerateHint, type Regenerate } from "./regenerate";
