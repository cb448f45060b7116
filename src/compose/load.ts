/**
 * The loader: from command-line style options to one typed, fully resolved ComposeProject, in compose-go's
 * order (compose-loading-reference.md §0): environment and env files, file selection, YAML, project name,
 * interpolation per document, `!reset`/`!override`, merge, normalisation, profiles, consistency checks.
 * The only I/O here is reading input files; the process environment and folders arrive as options.
 */
import * as path from "../platform/path";
import { DiagnosticBag, SourceFile, fail, type SourcePos } from "../diagnostics";
import { discoverFiles, filesFromEnv, statProblem } from "./discover";
import { defaultFileSystem } from "../platform/default-fs";
import type { FileSystem } from "../platform/file-system";
import { applyEnvFiles, defaultEnvFiles, liftComposeVariables, startEnvironment } from "./environment";
import { expandUser } from "./paths";
import { interpolate, type Lookup } from "./interpolate";
import { isMap } from "./raw";
import { loadRawModel, parseProjectFile, readStdinOf, STDIN, type FileHooks } from "./raw-model";
import { LayeredPositions } from "./positions";
import type { ComposeProject, ComposeService, PositionTable } from "./model";
import { normalizeBuild, type NormalizeContext } from "./normalize-build";
import { normalizeSecrets } from "./normalize-secrets";
import { chooseProjectName } from "./project-name";
import type { ParsedDocument, PlainMap, PlainValue } from "./yaml";
import { checkDependencies, checkProject, selectProfiles } from "./validate";
import { KeptVariables } from "./keep";
import { checkServiceDecoding } from "./decode-service";
import { checkServiceConsistency } from "./consistency";
import { judgedValues } from "./written";
import { checkLabelFiles } from "./label-files";
import { emptyDict } from "../dict";

export interface LoadOptions extends FileHooks {
  /** Folder that relative command-line paths are resolved from. */
  readonly cwd: string;
  /** The process environment (never read from `process` below the CLI). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Home folder for `~`; defaults to env.HOME. */
  readonly home?: string;
  /** `-f` files, in order; `-` is standard input, as in docker compose. */
  readonly files?: readonly string[];
  /** What `-f -` reads (default: the file system's standard input, at most 16 MiB; undefined when it is larger). */
  readonly readStdin?: () => Uint8Array | undefined;
  /**
   * Where every file is read from (Compose files, includes, extends, env files; compose2bake.toml and the
   * inputs' real paths in compose2bake()). Default: Node's file system; memoryFileSystem() holds files in memory.
   */
  readonly fs?: FileSystem;
  readonly projectDirectory?: string;
  readonly projectName?: string;
  readonly envFiles?: readonly string[];
  readonly profiles?: readonly string[];
  /** Services named on the command line. */
  readonly services?: readonly string[];
  /**
   * "resolve" substitutes variables like Docker Compose; "keep" leaves references for bake variables and
   * ignores the environment's values for them, so the result depends only on the files (see keep.ts).
   */
  readonly variables?: "resolve" | "keep";
}

/** `inputs`, when given, collects the absolute path of every file read (Compose files, included, extended, env files). */
export function loadProject(options: LoadOptions, diagnostics: DiagnosticBag, inputs?: Set<string>): ComposeProject {
  const { cwd } = options;
  const fs = options.fs ?? defaultFileSystem();
  const home = options.home ?? options.env.HOME ?? "/";
  const env = startEnvironment(options.env, cwd);
  const envFiles = defaultEnvFiles(options.envFiles, options.env);
  const projectDirectory = options.projectDirectory
    ? path.resolve(cwd, expandUser(options.projectDirectory, home))
    : undefined;
  const cliFiles = (options.files ?? []).map((f) => (f === STDIN ? f : path.resolve(cwd, expandUser(f, home))));
  // docker compose takes the folder of the first file as the project's, and the current folder for stdin.
  const folderOf = (file: string) => (file === STDIN ? cwd : path.dirname(file));

  // First env pass: before the files are known (COMPOSE_FILE may come from .env).
  const firstDir = projectDirectory ?? (cliFiles[0] ? folderOf(cliFiles[0]) : cwd);
  // docker compose first copies the COMPOSE_* keys of these env files into its own process environment.
  const processEnv = liftComposeVariables(env, {
    cwd,
    home,
    envFiles,
    dir: firstDir,
    processEnv: options.env,
    inputs,
    fs,
  });
  applyEnvFiles(env, { cwd, home, envFiles, dir: firstDir, processEnv, inputs, fs });

  let files: string[];
  if (cliFiles.length > 0) {
    for (const f of cliFiles) {
      const problem = f === STDIN ? undefined : statProblem(fs, f);
      if (problem) fail("compose-file-missing", `open ${f}: ${problem}`);
    }
    files = cliFiles;
  } else if (env.values.COMPOSE_FILE) {
    files = filesFromEnv(fs, env.values.COMPOSE_FILE, env.values.COMPOSE_PATH_SEPARATOR, cwd);
  } else {
    files = discoverFiles(fs, projectDirectory ?? cwd, diagnostics);
  }
  const workingDir = projectDirectory ?? folderOf(files[0]!);
  // Second pass, now that the project folder is known; keys from the first pass win.
  if (workingDir !== firstDir) applyEnvFiles(env, { cwd, home, envFiles, dir: workingDir, processEnv, inputs, fs });

  // Standard input is read once, however often `-` is named.
  let stdin: Uint8Array | undefined | null = null;
  const readStdin = () =>
    stdin === null ? (stdin = options.readStdin ? options.readStdin() : readStdinOf(fs)) : stdin;
  // LoadOptions is itself the FileHooks.
  const documents = files.flatMap((f) => parseProjectFile(fs, f, options, inputs, readStdin));
  if (documents.length === 0 || documents.every((d) => d.value === null)) {
    fail("empty-compose-file", "empty compose file", { file: documents[0]?.file ?? new SourceFile(files[0]!, "") });
  }

  const kept = options.variables === "keep" ? new KeptVariables() : undefined;
  const unset = new Set<string>();
  const lookup: Lookup = kept ? () => undefined : (name) => env.values[name];
  const onUnset = (name: string): void => {
    if (unset.has(name)) return;
    unset.add(name);
    diagnostics.warn("variable-not-set", `The "${name}" variable is not set. Defaulting to a blank string.`);
  };

  const name = chooseProjectName({
    flag: options.projectName,
    env: env.values.COMPOSE_PROJECT_NAME,
    // `name:` names the project like -p does, so it is resolved from the environment even in keep mode.
    fromFiles: lastName(documents, (n) => env.values[n], onUnset),
    workingDir,
  });
  env.values.COMPOSE_PROJECT_NAME = name;

  const positions = new LayeredPositions();
  const includedEnvFileVariables = new Map<string, string>();
  const model = loadRawModel(documents, workingDir, {
    env: env.values,
    processEnv,
    home,
    onUnset,
    positions,
    includeStack: [],
    fs,
    kept,
    includedEnvFileVariables,
    inputs,
    hooks: options,
  });

  // In keep mode a value-less build arg becomes a reference too: bake drops it when the variable is unset.
  // An empty key (`- ${UNSET}`) names no variable: dropped, as the environment never holds "".
  const lookupEnv: Lookup = kept
    ? (name) =>
        name === ""
          ? undefined
          : kept.token({ part: { kind: "var", name, braced: true, start: 0, end: 0 }, valueless: true })
    : lookup;
  // compose-go refuses an empty project after the merge, so `{}` alone fails but `{}` as an override does not.
  if (Object.keys(model).length === 0) {
    const first = documents.find((d) => d.value !== null) ?? documents[0]!;
    fail("empty-compose-file", "empty compose file", first.positions.get("") ?? { file: first.file });
  }
  const ctx: NormalizeContext = { workingDir, home, lookupEnv, positions, kept, keepPath: kept?.keepPath };
  const rawServices = model.services;
  if (rawServices !== undefined && rawServices !== null && !isMap(rawServices)) {
    fail("schema", "services must be a mapping", positions.get("services"));
  }
  const services: Record<string, ComposeService> = emptyDict<Record<string, ComposeService>>();
  const loaded = new Map<string, { raw: PlainMap; profiles: string[] }>();
  for (const [serviceName, rawService] of Object.entries(rawServices ?? {})) {
    const servicePath = `services.${serviceName}`;
    if (!/^[a-zA-Z0-9._-]+$/.test(serviceName)) {
      fail("schema", `services additional properties '${serviceName}' not allowed`, positions.get(servicePath));
    }
    const raw: PlainMap = rawService === null ? emptyDict<PlainMap>() : expectMap(rawService, servicePath, positions);
    loaded.set(serviceName, { raw, profiles: stringList(raw.profiles, `${servicePath}.profiles`, positions) });
  }

  // compose-go decodes every service, active or not, before profiles apply.
  const judged = judgedValues(kept !== undefined, positions);
  checkServiceDecoding(loaded, positions, judged);

  const selected = options.services ?? [];
  const enabled = selectProfiles(
    options.profiles && options.profiles.length > 0 ? options.profiles : splitProfiles(env.values.COMPOSE_PROFILES),
    selected,
    loaded,
  );
  for (const [serviceName, { raw, profiles }] of loaded) {
    const servicePath = `services.${serviceName}`;
    const active = profiles.length === 0 || enabled.includes("*") || profiles.some((p) => enabled.includes(p));
    services[serviceName] = {
      name: serviceName,
      image: optionalString(raw.image, `${servicePath}.image`, positions),
      platform: optionalString(raw.platform, `${servicePath}.platform`, positions),
      profiles,
      active,
      build: raw.build === undefined ? undefined : normalizeBuild(raw.build, servicePath, ctx),
    };
  }
  const secrets = normalizeSecrets(model.secrets, ctx);

  const project: ComposeProject = {
    name,
    workingDir,
    files,
    services,
    secrets,
    activeProfiles: enabled,
    selectedServices: selected,
    envFileVariables: env.fromFiles,
    includedEnvFileVariables,
    environment: env.values,
    positions,
    kept,
  };
  const states = new Map([...loaded].map(([n, l]) => [n, { raw: l.raw, active: services[n]!.active }]));
  checkDependencies(states, selected, positions, judged);
  checkProject(project);
  checkServiceConsistency(states, model, positions, judged);
  checkLabelFiles(states, { fs, workingDir, home, positions, judged });
  return project;
}

/**
 * The project name from the files, as compose 2.40.3 finds it: the last document whose `name:` is a non-empty
 * string *as written*, then interpolated on its own (it decides COMPOSE_PROJECT_NAME). An empty result is not
 * skipped: it normalises to "" and the project name is then an error.
 */
function lastName(documents: readonly ParsedDocument[], lookup: Lookup, onUnset: (n: string) => void) {
  let found: { raw: string; doc: ParsedDocument } | undefined;
  for (const doc of documents) {
    const raw = doc.value?.name;
    if (raw === undefined || raw === null) continue;
    if (typeof raw !== "string") fail("schema", "name must be a string", doc.positions.get("name"));
    if (raw !== "") found = { raw, doc };
  }
  if (!found) return undefined;
  // The place is looked up only for a message (positions are built on first use: yaml/walk.ts).
  const { raw, doc } = found;
  try {
    return {
      value: interpolate(raw, lookup, { onUnset }),
      get pos(): SourcePos | undefined {
        return doc.positions.get("name");
      },
    };
  } catch (e) {
    fail("interpolation", `error while interpolating name: ${(e as Error).message}`, doc.positions.get("name"));
  }
}

function splitProfiles(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

function expectMap(v: PlainValue, p: string, positions: PositionTable): PlainMap {
  if (!isMap(v)) fail("schema", `${p} must be a mapping`, positions.get(p));
  return v;
}

function optionalString(v: PlainValue | undefined, p: string, positions: PositionTable): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") fail("schema", `${p} must be a string`, positions.get(p));
  return v;
}

function stringList(v: PlainValue | undefined, p: string, positions: PositionTable): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail("schema", `${p} must be a array`, positions.get(p));
  return v.map((item, i) => {
    if (typeof item !== "string") fail("schema", `${p}.${i} must be a string`, positions.get(`${p}.${i}`));
    return item;
  });
}
