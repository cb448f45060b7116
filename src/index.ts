/**
 * Public API of compose2bake. Everything a caller needs is re-exported here by name; other modules are internal.
 *
 *   import { compose2bake } from "compose2bake";
 *   const { text, diagnostics } = compose2bake({ cwd: process.cwd(), env: process.env, format: "hcl" });
 *
 * The library never reads `process`, never prints and never exits: the environment, folders and options
 * arrive as arguments, problems come back as diagnostics or a thrown CompileError.
 */
import * as path from "./platform/path";
import { convertProject } from "./bake/convert";
import type { BakeFile } from "./bake/model";
import { loadProject, type LoadOptions } from "./compose/load";
import type { ComposeProject } from "./compose/model";
import { hasToken } from "./compose/keep-token";
import { collapseRepeats, DiagnosticBag, sortDiagnostics, type Diagnostic } from "./diagnostics";
import { customizeBake } from "./bake/customize";
import type { Config } from "./config/load";
import { DEFAULT_FORMAT, emit, impliedFormat, type OutputFormat } from "./emit";
import { headerLines, regenerateCommand, type Regenerate } from "./regenerate";
import { runWarnings } from "./warnings";
import { defaultFileSystem } from "./platform/default-fs";
import type { FileSystem } from "./platform/file-system";

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
   * Resolved on first access.
   */
  readonly inputs: readonly string[];
}

/**
 * The one place where compose2bake.toml meets the options: a setting given in `options` wins, an empty list
 * counts as not given (precedence: config/load.ts). Idempotent by construction (a layered setting is "given" the
 * second time), so the CLI may call it to learn the output file before the run and compose2bake() call it again.
 */
export function withConfig(
  options: Compose2BakeOptions,
  config: Config | undefined = options.config,
): Compose2BakeOptions {
  if (!config) return options;
  const list = (
    given: readonly string[] | undefined,
    fromFile: readonly string[] | undefined,
  ): readonly string[] | undefined => (given && given.length > 0 ? given : (fromFile ?? given));
  const out: Compose2BakeOptions = {
    ...options,
    files: list(options.files, config.files),
    profiles: list(options.profiles, config.profiles),
    envFiles: list(options.envFiles, config.envFiles),
    services: list(options.services, config.services),
    projectDirectory: options.projectDirectory ?? config.projectDirectory,
    projectName: options.projectName ?? config.projectName,
    outputFile: options.outputFile ?? config.output,
    format: options.format ?? impliedFormat(options.outputFile, config),
    variables: options.variables ?? config.variables,
    absolutePaths: options.absolutePaths ?? config.absolutePaths,
    config,
  };
  return out;
}

/**
 * Loads a Compose project, converts it and emits the bake file text. Throws CompileError on invalid input.
 * By default `${VAR…}` references become bake variables (`variables: "keep"`); `variables: "resolve"`
 * substitutes them from `env` like `docker compose build --print`.
 */
export function compose2bake(given: Compose2BakeOptions): Compose2BakeResult {
  const options = withConfig(given);
  const fs = options.fs ?? defaultFileSystem();
  const diagnostics = new DiagnosticBag();
  const read = new Set<string>();
  const project = loadProject({ ...options, fs, variables: options.variables ?? "keep" }, diagnostics, read);
  const outputDir = options.outputFile ? path.dirname(path.resolve(options.cwd, options.outputFile)) : options.cwd;
  // In keep mode convertProject also turns the kept references into bake variables.
  const converted = convertProject(project, { outputDir, absolutePaths: options.absolutePaths }, diagnostics);
  const bake = customizeBake(converted, options.config?.customize);
  if (options.runWarnings !== false) {
    runWarnings(
      {
        fs,
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
  const format = options.format ?? impliedFormat(options.outputFile, undefined) ?? DEFAULT_FORMAT;
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
  let inputs: string[] | undefined;
  return {
    text,
    format,
    bake,
    project,
    diagnostics: collapseRepeats(sortDiagnostics(diagnostics.all)),
    regenerate,
    // Real paths cost a few file-system calls per file (some ms of a small run): resolved when first asked
    // for, which the CLI does only when it writes or compares a file.
    get inputs(): string[] {
      return (inputs ??= projectInputs(fs, project, read, options.config?.file));
    },
  };
}

/** The files read while loading, plus the ones the project names for the build (see Compose2BakeResult.inputs). */
function projectInputs(
  fs: FileSystem,
  project: ComposeProject,
  read: ReadonlySet<string>,
  configFile: string | undefined,
): string[] {
  const files = new Set(read);
  if (configFile) files.add(configFile);
  for (const service of Object.values(project.services)) {
    const b = service.build;
    if (!b) continue;
    // A remote context (git URL, tarball) is kept as written; a local one is absolute.
    if (path.isAbsolute(b.context) && b.dockerfile_inline === undefined)
      files.add(path.resolve(b.context, b.dockerfile ?? "Dockerfile"));
    // A kept path (keep mode) names no file until bake runs.
    for (const s of b.ssh) if (s.path && !hasToken(s.path)) files.add(s.path);
  }
  for (const secret of Object.values(project.secrets))
    if (secret.file && !hasToken(secret.file)) files.add(secret.file);
  return [...new Set([...files].map((f) => fs.realpath(f)))].sort();
}

// The public API: the one-call compiler, the three stages (load, convert, emit) with the customisation step
// between the last two, compose2bake.toml, and the diagnostics. Everything else is internal.
export { loadProject, type LoadOptions } from "./compose/load";
export type { FileHooks } from "./compose/raw-model";
export { convertProject, type ConvertOptions } from "./bake/convert";
export { customizeBake, type BakeCustomization } from "./bake/customize";
export { emit, type OutputFormat } from "./emit";
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
export { CompileError, DiagnosticBag, formatDiagnostic, type Diagnostic, type SourcePos } from "./diagnostics";
export { loadConfig, parseConfig, type Config, type FindConfigOptions } from "./config/load";
export { regenerateHint, type Regenerate } from "./regenerate";
export { FileSystemError, type FileStat, type FileSystem } from "./platform/file-system";
export { memoryFileSystem, type MemoryFiles } from "./platform/memory-fs";
