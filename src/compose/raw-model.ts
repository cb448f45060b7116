/**
 * From parsed documents to one merged raw model (plain data, not yet normalised), per compose-go's per-file
 * steps (compose-loading-reference.md §0): interpolate each document, process its `include`, clear the
 * paths it tags `!reset`/`!override` in what was loaded before, resolve its `extends`, merge.
 */
import * as path from "../platform/path";
import { dictCopy, hasOwn, own, emptyDict } from "../dict";
import { CompileError, SourceFile, fail, type SourcePos } from "../diagnostics";
import { applyEnvFiles } from "./environment";
import { committedIncludeValues } from "./include-env";
import { resolveExtends, type RawFile } from "./extends";
import {
  InterpolationDepthError,
  InterpolationError,
  InterpolationSyntaxError,
  parseTemplate,
  type Lookup,
} from "./interpolate";
import { applyTypeCasts } from "./type-cast";
import { composePathText } from "./tree-path";
import { interpolateValue } from "./interpolate-value";
import { canonicalizeSsh, deletePaths, mergeDocuments } from "./merge";
import { ExtendedPositions, LayeredPositions, ListPositions, type PlaceOf } from "./positions";
import { isMap } from "./raw";
import { expandUser, resolveRawSecretPaths, resolveRawServicePaths } from "./paths";
import { decodeComposeSource } from "./yaml";
import { MAX_FILE_BYTES, parseComposeYaml, type ParsedDocument, type PlainMap, type PlainValue } from "./yaml";
import { fsErrorText, statProblem } from "./discover";
import { isDirectory, isSpecialFile, type FileSystem } from "../platform/file-system";
import { keepValue, type KeptVariables } from "./keep";
import { isKeptSshItem } from "./keep-ssh";
import { hasToken } from "./keep-token";
import { canonicalizeKeptContexts, checkKeptContextNames } from "./keep-contexts-canonical";
import { COMPOSE_YAML_OPTIONS } from "./build-string-map";
import { validateMergedDocument } from "./schema/validate";
import { checkCanonicalShapes } from "./canonical-checks";
import { checkUnicityIndexers } from "./unicity-checks";
import { judgedValues } from "./written";

export interface RawModelContext {
  /** Where included and extended files are read from. */
  readonly fs: FileSystem;
  /** Interpolation environment for these documents (an include may add its own env file). */
  readonly env: Readonly<Record<string, string>>;
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  readonly home: string;
  readonly onUnset: (name: string) => void;
  /** Positions of every value loaded, by dotted path; later documents overwrite earlier ones. */
  /** Receives each document's positions as it is merged in (later documents win). */
  readonly positions: LayeredPositions;
  /** Files being included further up, to report include cycles. */
  readonly includeStack: readonly string[];
  /** Present in "keep" mode: references are kept as tokens instead of substituted (see keep.ts). */
  readonly kept?: KeptVariables;
  /** Collects what included projects' env files set, name → value (the first include wins; bake reads no env file). */
  readonly includedEnvFileVariables?: Map<string, string>;
  /** Collects the absolute path of every file read (the CLI refuses to write over an input). */
  readonly inputs?: Set<string>;
  /** Told about every Compose file the project reads: the loaded files, includes and extended files. */
  readonly hooks?: FileHooks;
}

/** A caller's view of the Compose files a project reads: loaded, included and extended ones (LoadOptions). */
export interface FileHooks {
  /** Called after each file is read and before it is parsed, with its size in characters (the CLI's V8 tuning). */
  readonly onFileRead?: (file: string, size: number) => void;
  /**
   * Called after each file is parsed, with its size in characters and how many values the walk reached, a value
   * reached again through `<<` or an alias counting again (the CLI's V8 tuning and collection).
   */
  readonly onFileParsed?: (file: string, size: number, values: number) => void;
}

export function loadRawModel(documents: readonly ParsedDocument[], workingDir: string, ctx: RawModelContext): PlainMap {
  let model: PlainMap = emptyDict<PlainMap>();
  const rawFiles = new Map<string, RawFile>();
  const placeOf: PlaceOf = (p) => ctx.positions.get(p);
  for (const doc of documents) {
    if (doc.value === null) continue;
    const before = ctx.positions.snapshot();
    let value = interpolateDocument(doc, (n) => own(ctx.env, n), ctx.onUnset, ctx.kept);
    // Per document and before `include`, as compose-go checks it (so `services:` with no value fails too).
    if ("services" in value && !isMap(value.services)) {
      fail("schema", "services must be a mapping", doc.positions.get("services") ?? { file: doc.file });
    }
    value = applyIncludes(value, doc, workingDir, ctx);
    deletePaths(model, doc.resetPaths);
    deletePaths(model, doc.overridePaths);
    // This document's positions: what its services get from those they extend (placed where those wrote it), its
    // own, and the items of the lists an extends merged.
    const extended = new ExtendedPositions();
    const extendedLists = new ListPositions(extended, doc.positions);
    const documentPositions = new LayeredPositions();
    documentPositions.add(extended);
    documentPositions.add(doc.positions);
    documentPositions.add(extendedLists);
    ctx.positions.add(documentPositions);
    // The lists as this document writes them: an extends merge drops an item equal to one of the base's.
    if (ctx.kept) checkKeptHostItems(value, ctx.kept);
    if (isMap(value.services)) {
      value.services = resolveExtends(value.services, {
        home: ctx.home,
        positions: documentPositions,
        extended,
        lists: extendedLists.record,
        keepPath: ctx.kept?.keepPath,
        keepSshGroup: ctx.kept?.sshGroup,
        keepContexts: ctx.kept && ((m: PlainMap) => canonicalizeKeptContexts(m, ctx.kept!, () => undefined)),
        resourceDir: workingDir,
        file: doc.file.path,
        placeOf,
        tagPaths: [...doc.resetPaths, ...doc.overridePaths],
        readRaw: (file, place) => {
          let raw = rawFiles.get(file);
          if (!raw) rawFiles.set(file, (raw = readRawFile(file, ctx, place)));
          return raw;
        },
      });
    }
    // The items of the lists merged with earlier documents' are placed where they were written.
    const mergedLists = new ListPositions(before, ctx.positions.snapshot());
    // compose-go validates the whole merged model after each document, the earlier ones in canonical form.
    checkCanonicalEmptyNames(model, value, placeOf);
    model = mergeDocuments(model, value, placeOf, mergedLists.record);
    ctx.positions.add(mergedLists);
    // compose-go de-duplicates list items before the schema, refusing items it cannot key (unicity-checks.ts).
    const judged = judgedValues(ctx.kept !== undefined, ctx.positions);
    checkUnicityIndexers(model, value, placeOf, judged);
    // compose-go validates the merged model after each document (included files within their own load), before
    // its canonical transform: an ssh list this document wrote or appended (`[default, default]`, or a list
    // appended to the list of a service it extends) still meets the schema's uniqueItems.
    validateMergedDocument(model, value, ctx.positions);
    if (ctx.kept) checkKeptSshIds(model, ctx.kept);
    if (ctx.kept) checkKeptSshPaths(model, ctx.kept);
    if (ctx.kept) checkKeptContextNames(model, ctx.kept);
    checkCanonicalShapes(model, value, ctx.positions, judged);
    canonicalizeSsh(model, ctx.kept?.sshGroup);
    if (ctx.kept) canonicalizeKeptContexts(model, ctx.kept, placeOf);
  }
  return model;
}

/**
 * Keep mode: the kept ssh items this document meets as the keys of a mapping (an earlier document's list, or a
 * list of another file this one extends, made a mapping by canonicalizeSsh). compose-go validates the merged model
 * here, so an item whose id comes out empty (`=path`) is the key '' the schema refuses: a validation (keep-forms).
 */
function checkKeptSshIds(model: PlainMap, kept: KeptVariables): void {
  const services = model.services;
  if (!isMap(services)) return;
  for (const [name, service] of Object.entries(services)) {
    const ssh = isMap(service) && isMap(service.build) ? service.build.ssh : undefined;
    if (!isMap(ssh)) continue;
    for (const key of Object.keys(ssh)) {
      if (!isKeptSshItem(key)) continue;
      const piece = kept.split(key)[0];
      const value = typeof piece === "object" && piece.kind === "form" && piece.form === "ssh-item" ? piece.value : key;
      kept.checks.push({ rule: "ssh-id", value, path: `services.${name}.build.ssh` });
    }
  }
}

/**
 * Keep mode: an ssh list this document wrote whose ids are literal but whose paths hold references
 * (`- default=keys/id1`, `- default=${KEY:-keys/id1}`): items of one id may come out equal, which the schema's
 * uniqueItems refuses (`services.S.build.ssh must be a mapping`), so they get the `unique-items` validation that
 * lists of kept ids get (fuzz keep seed 7101). Lists whose ids all differ cannot come out equal: no check.
 */
function checkKeptSshPaths(model: PlainMap, kept: KeptVariables): void {
  const services = model.services;
  if (!isMap(services)) return;
  for (const [name, service] of Object.entries(services)) {
    const ssh = isMap(service) && isMap(service.build) ? service.build.ssh : undefined;
    if (!Array.isArray(ssh) || !ssh.every((x): x is string => typeof x === "string")) continue;
    if (ssh.some(isKeptSshItem) || !ssh.some(hasToken)) continue;
    const ids = ssh.map((item) => (item.includes("=") ? item.slice(0, item.indexOf("=")) : item));
    if (new Set(ids).size === ids.length) continue;
    kept.checks.push({ rule: "unique-items", value: ssh.join(""), items: ssh, path: `services.${name}.build.ssh` });
  }
}

/**
 * Keep mode: a build extra_hosts list as this document writes it whose items hold references: items may come out
 * equal, which the schema's uniqueItems refuses (`services.S.build.extra_hosts must be a mapping`; no
 * de-duplication runs on this list first), so they get the `unique-items` validation (fuzz keep seed 9401:
 * `- somehost=::1`, `- ${HOST:-h-4}=::1` with HOST=somehost). Lists merged from two documents or through
 * `extends` are not checked as a whole: compose-go's merge drops a later item equal to an earlier one.
 */
function checkKeptHostItems(document: PlainMap, kept: KeptVariables): void {
  const services = document.services;
  if (!isMap(services)) return;
  for (const [name, service] of Object.entries(services)) {
    const hosts = isMap(service) && isMap(service.build) ? service.build.extra_hosts : undefined;
    if (!Array.isArray(hosts) || hosts.length < 2 || !hosts.every((x): x is string => typeof x === "string")) continue;
    if (!hosts.some(hasToken)) continue;
    const path = `services.${name}.build.extra_hosts`;
    kept.checks.push({ rule: "unique-items", value: hosts.join(""), items: hosts, path });
  }
}

/**
 * The earlier documents' `build.additional_contexts` lists and `build.ssh` lists are mappings by now to compose-go
 * (its canonical transform), and it validates the whole merged model after the next document (`next`): an item
 * with an empty name (`=./x`) is the key '' the schema refuses, whether or not that document touches the service.
 * Except where `next` writes the service's `build.additional_contexts` (any value, null and `{}` included):
 * compose-go merges the two as `K=V` lists, so the merged value is a list again, which the schema takes (checked
 * with docker compose 2.40). An ssh mapping stays one. (Kept items get this as a validation:
 * keep-contexts-canonical.ts, `ssh-id`.)
 */
function checkCanonicalEmptyNames(model: PlainMap, next: PlainMap, placeOf: PlaceOf): void {
  if (!isMap(model.services)) return;
  const nextServices = isMap(next.services) ? next.services : undefined;
  for (const [name, service] of Object.entries(model.services)) {
    if (!isMap(service) || !isMap(service.build)) continue;
    const { additional_contexts: contexts, ssh } = service.build;
    const at = `services.${name}.build`;
    const refuse = (key: string, where: string): never =>
      fail("schema", `${at}.${key} additional properties '' not allowed`, placeOf(where) ?? placeOf(`${at}.${key}`));
    const nextService = nextServices && hasOwn(nextServices, name) ? nextServices[name] : undefined;
    const nextBuild = isMap(nextService) ? nextService.build : undefined;
    const mergedAsList = isMap(nextBuild) && hasOwn(nextBuild, "additional_contexts");
    if (Array.isArray(contexts) && !mergedAsList)
      contexts.forEach((item, i) => {
        if (typeof item === "string" && item.startsWith("=") && !hasToken(item))
          refuse("additional_contexts", `${at}.additional_contexts.${i}`);
      });
    if (isMap(ssh) && hasOwn(ssh, "")) refuse("ssh", `${at}.ssh`);
  }
}

/**
 * Refuses a Compose file that another file names (`include`, `extends`) when it is a pipe, socket or device: a
 * committed symlink to `/dev/tty` or `/dev/stdin` would make a hook wait forever. Only `-f` may name one (`-f
 * <(…)` is the user's own choice); docker compose reads any of them.
 */
function notRegular(file: string, place: SourcePos | undefined): never {
  fail("compose-file-not-regular", `open ${file}: not a regular file`, place);
}

/** Names standard input in `-f -`, as in docker compose. */
export const STDIN = "-";

/**
 * Reads and decodes a compose file (at most MAX_FILE_BYTES: `-f /dev/zero` must not read forever); `-` is
 * standard input, read by `readStdin`.
 */
function readSource(
  fs: FileSystem,
  file: string,
  readStdin: () => Uint8Array | undefined = () => readStdinOf(fs),
  inputs?: Set<string>,
): SourceFile {
  let bytes: Uint8Array | undefined;
  if (file !== STDIN) inputs?.add(file);
  try {
    if (file === STDIN) {
      bytes = readStdin();
    } else {
      if (fs.stat(file).isDirectory) fail("compose-file-directory", `read ${file}: is a directory`);
      bytes = fs.read(file, MAX_FILE_BYTES);
    }
  } catch (e) {
    if (e instanceof CompileError) throw e;
    fail("compose-file-unreadable", `open ${file}: ${fsErrorText(e)}`);
  }
  if (!bytes) {
    fail("compose-file-too-large", `read ${file}: compose file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`, {
      file: new SourceFile(file, ""),
    });
  }
  return decodeComposeSource(file, bytes);
}

/**
 * Reads and parses one of the project's Compose files (a loaded file, an include, an extended file), telling
 * `hooks` its size before the parse and how many values the walk reached after it.
 */
export function parseProjectFile(
  fs: FileSystem,
  file: string,
  hooks: FileHooks | undefined,
  inputs?: Set<string>,
  readStdin?: () => Uint8Array | undefined,
): ParsedDocument[] {
  const source = readSource(fs, file, readStdin, inputs);
  hooks?.onFileRead?.(file, source.text.length);
  const parsed = parseComposeYaml(source, COMPOSE_YAML_OPTIONS);
  hooks?.onFileParsed?.(
    file,
    source.text.length,
    parsed.reduce((n, d) => n + d.positions.recorded, 0),
  );
  return parsed;
}

/** Standard input through the file system, at most MAX_FILE_BYTES; a file system without one has none to give. */
export function readStdinOf(fs: FileSystem): Uint8Array | undefined {
  if (!fs.readStdin) fail("compose-file-unreadable", "open -: there is no standard input here");
  return fs.readStdin(MAX_FILE_BYTES);
}

export function interpolateDocument(
  doc: ParsedDocument,
  lookup: Lookup,
  onUnset: (name: string) => void,
  kept?: KeptVariables,
): PlainMap {
  let value: PlainMap;
  const placesBefore = kept ? [kept.resolvedPlaces.length, kept.resolvedArgNames.length] : [];
  try {
    value = kept
      ? (keepValue(doc.value, "", kept) as PlainMap)
      : (interpolateValue(doc.value, "", lookup, { onUnset }) as PlainMap);
  } catch (e) {
    if (e instanceof InterpolationError) {
      const where = composePathText(doc.value, e.path);
      const cause = e.cause;
      // compose-go's two wordings (template/template.go): a syntax error quotes the value, which is the file's
      // own text; a missing required variable names it.
      const message =
        cause instanceof InterpolationSyntaxError && !(cause instanceof InterpolationDepthError)
          ? `invalid interpolation format for ${where}. You may need to escape any $ with another $. ${cause.template}`
          : `error while interpolating ${where}: ${cause.message}`;
      fail("interpolation", message, doc.positions.get(e.path) ?? { file: doc.file });
    }
    throw e;
  }
  if (kept) {
    // Each warning about a value resolved instead of kept names where this document wrote it.
    for (const place of kept.resolvedPlaces.slice(placesBefore[0])) place.at = doc.positions.get(place.path);
    for (const place of kept.resolvedArgNames.slice(placesBefore[1])) place.at = doc.positions.get(place.path);
    if (kept.debugPlace && !kept.debugPlace.at) kept.debugPlace.at = doc.positions.get(kept.debugPlace.path);
  }
  // compose-go casts some values while interpolating. In keep mode a value that still holds a variable is only
  // known when bake runs (and never reaches bake: none of these places is a build key), so it is not judged.
  const cast = kept ? applyTypeCasts(value, doc.value, literalText) : applyTypeCasts(value);
  if ("failure" in cast) {
    fail("interpolation", cast.failure.message, doc.positions.get(cast.failure.path) ?? { file: doc.file });
  }
  return cast.value as PlainMap;
}

/** A string with no variable reference (escapes `$$` reduced), or undefined when it holds one. */
function literalText(value: string): string | undefined {
  if (!value.includes("$")) return value;
  try {
    const parts = parseTemplate(value);
    return parts.every((p) => p.kind === "text")
      ? parts.map((p) => (p.kind === "text" ? p.text : "")).join("")
      : undefined;
  } catch {
    return undefined;
  }
}

/** A file reached through `extends` (at `place`): its documents interpolated and merged, nothing else. */
function readRawFile(file: string, ctx: RawModelContext, place: SourcePos | undefined): RawFile {
  if (isSpecialFile(ctx.fs, file)) notRegular(file, place);
  let model: PlainMap = emptyDict<PlainMap>();
  const tagPaths: string[][] = [];
  // Its own extends are resolved later, service by service (extends.ts): their positions go under all its documents.
  const extended = new ExtendedPositions();
  const documents = new LayeredPositions();
  const lists = new ListPositions(extended, documents);
  const positions = new LayeredPositions();
  positions.add(extended);
  positions.add(documents);
  positions.add(lists);
  for (const doc of parseProjectFile(ctx.fs, file, ctx.hooks, ctx.inputs)) {
    if (doc.value === null) continue;
    documents.add(doc.positions);
    const value = interpolateDocument(doc, (n) => own(ctx.env, n), ctx.onUnset, ctx.kept);
    deletePaths(model, doc.resetPaths);
    deletePaths(model, doc.overridePaths);
    model = mergeDocuments(model, value, () => undefined);
    // compose-go de-duplicates and canonicalises an extended file too (its schema is checked after the extends).
    const judged = judgedValues(ctx.kept !== undefined, doc.positions);
    checkUnicityIndexers(model, value, (p) => doc.positions.get(p), judged);
    checkCanonicalShapes(model, value, doc.positions, judged);
    tagPaths.push(...doc.resetPaths, ...doc.overridePaths);
  }
  return { model, tagPaths, positions, extended, lists: lists.record };
}

/**
 * How many includes may nest (a file including a file including a file…). compose-go has no limit; ours keeps the
 * recursive loading of each level far from the end of the stack, far above real projects (README "Limits").
 */
export const MAX_INCLUDE_DEPTH = 100;

interface IncludeItem {
  readonly paths: string[];
  readonly projectDirectory?: string;
  readonly envFiles: string[];
}

/**
 * `include` (compose-loading-reference.md §11): each item is loaded as a project of its own (own folder, own
 * env file that never overrides the parent's environment), and its resources imported into the including
 * document. Two includes that define one name differently are an error (`services.x conflicts with imported
 * resource`). A local definition is merged over the imported one, as current compose-go does (PR #835, what the
 * issue and reference §11 ask for); compose 2.40.3 still rejected it (test/loading/include-local-override).
 */
function applyIncludes(value: PlainMap, doc: ParsedDocument, workingDir: string, ctx: RawModelContext): PlainMap {
  const include = value.include;
  if (include === undefined || include === null) return value;
  const rest: PlainMap = emptyDict<PlainMap>();
  for (const [k, v] of Object.entries(value)) if (k !== "include") rest[k] = v;
  if (!Array.isArray(include)) fail("schema", "include must be a array", doc.positions.get("include"));

  const stack = [...ctx.includeStack, doc.file.path];
  const imported: PlainMap = emptyDict<PlainMap>();
  include.forEach((raw, i) => {
    const where = `include.${i}`;
    const item = parseInclude(raw, where, doc);
    const files = item.paths.map((p) => path.resolve(workingDir, expandUser(p, ctx.home)));
    for (const f of files) {
      const problem = statProblem(ctx.fs, f);
      if (problem) fail("include-missing", `open ${f}: ${problem}`, doc.positions.get(where));
      if (isDirectory(ctx.fs, f)) fail("compose-file-directory", `read ${f}: is a directory`, doc.positions.get(where));
      if (isSpecialFile(ctx.fs, f)) notRegular(f, doc.positions.get(where));
    }
    if (stack.includes(files[0]!)) {
      fail(
        "include-cycle",
        `include cycle detected: ${[...stack, files[0]].join(" include ")}`,
        doc.positions.get(where),
      );
    }
    if (stack.length >= MAX_INCLUDE_DEPTH) {
      fail(
        "include-too-deep",
        `include nesting is deeper than ${MAX_INCLUDE_DEPTH} levels: ${files[0]}`,
        doc.positions.get(where),
      );
    }
    // The include's folder (its default .env) is project_directory. Its relative paths are resolved from
    // compose-go's `loader.Dir(project_directory)`: that folder when it exists, else its parent (an absolute
    // project_directory is taken as it is).
    const projectDir = item.projectDirectory
      ? path.resolve(workingDir, expandUser(item.projectDirectory, ctx.home))
      : undefined;
    const dir =
      projectDir === undefined
        ? path.dirname(files[0]!)
        : path.isAbsolute(expandUser(item.projectDirectory!, ctx.home)) || isDirectory(ctx.fs, projectDir)
          ? projectDir
          : path.dirname(projectDir);
    const env = { values: dictCopy(ctx.env), fromFiles: new Set<string>() };
    const envFileOptions = {
      cwd: workingDir,
      home: ctx.home,
      envFiles: item.envFiles,
      dir: projectDir ?? dir,
      processEnv: ctx.processEnv,
      useComposeEnvFiles: false,
      inputs: ctx.inputs,
      fs: ctx.fs,
      includeAt: doc.positions.get(`${where}.env_file`) ?? doc.positions.get(where) ?? { file: doc.file },
    };
    applyEnvFiles(env, envFileOptions);
    for (const name of env.fromFiles) {
      if (!ctx.includedEnvFileVariables?.has(name)) ctx.includedEnvFileVariables?.set(name, env.values[name]!);
    }
    const documents = files.flatMap((f) => parseProjectFile(ctx.fs, f, ctx.hooks, ctx.inputs));
    // Keep mode: references in the include stand for its env files' values when the environment does not set
    // them. Read from the committed files alone (include-env.ts), whatever the environment holds now, so that the
    // output depends only on the files; an outer include's values win, as they are already set when this one's
    // env files are read.
    const outer = ctx.kept?.scope;
    const committed = ctx.kept ? committedIncludeValues(envFileOptions, outer?.values) : undefined;
    const scope =
      committed === undefined || (committed.values.size === 0 && committed.fromEnvironment.size === 0)
        ? outer
        : {
            values: new Map([...committed.values, ...(outer?.values ?? [])]),
            source: item.paths[0]!,
            fromEnvironment: new Set(
              [...committed.fromEnvironment, ...(outer?.fromEnvironment ?? [])].filter(
                (n) => !outer?.values.has(n) || outer.fromEnvironment?.has(n),
              ),
            ),
          };
    const load = () => loadRawModel(documents, dir, { ...ctx, env: env.values, includeStack: stack });
    const sub = ctx.kept ? ctx.kept.withScope(scope, load) : load();
    // The included project is canonical when the including document is validated (fuzz resolve seed 9403).
    // The including document cannot write an imported service (compose-go refuses the conflict): nothing merges
    // the included lists back into lists.
    checkCanonicalEmptyNames(sub, emptyDict<PlainMap>(), (p) => ctx.positions.get(p));
    const pathCtx = { workingDir: dir, home: ctx.home, keepPath: ctx.kept?.keepPath };
    const services: PlainMap = emptyDict<PlainMap>();
    if (isMap(sub.services)) {
      for (const [name, service] of Object.entries(sub.services)) {
        services[name] = resolveRawServicePaths(service, pathCtx, { defaultContext: true }) as PlainValue;
      }
    }
    const part: PlainMap = emptyDict<PlainMap>();
    // Only what the include defines: an include of empty files leaves an empty (so refused) project.
    if (sub.services !== undefined) part.services = services;
    if (sub.secrets !== undefined) part.secrets = resolveRawSecretPaths(sub.secrets, pathCtx) as PlainValue;
    // Resources without a build are imported too: compose reports their conflicts as well.
    for (const key of ["volumes", "networks"]) if (sub[key] !== undefined) part[key] = sub[key]!;
    if (sub.configs !== undefined) part.configs = resolveRawSecretPaths(sub.configs, pathCtx) as PlainValue;
    importResources(part, imported, (key, name) =>
      fail(
        "include-conflict",
        `${key}.${name} conflicts with imported resource`,
        doc.positions.get(`${key}.${name}`) ?? doc.positions.get(where),
      ),
    );
  });
  // The including document's definitions are merged over the imported ones, with its own `!reset` /
  // `!override` applied to them first.
  deletePaths(imported, doc.resetPaths);
  deletePaths(imported, doc.overridePaths);
  return mergeDocuments(imported, rest, (p) => doc.positions.get(p));
}

/** compose-go's importResources: copies each resource into `target`; an equal one is skipped, another one conflicts. */
function importResources(source: PlainMap, target: PlainMap, conflict: (key: string, name: string) => never): void {
  for (const key of ["services", "volumes", "networks", "secrets", "configs"]) {
    const from = source[key];
    if (!isMap(from)) continue;
    const current = target[key];
    const to: PlainMap = Object.assign(emptyDict<PlainMap>(), isMap(current) ? current : {});
    for (const [name, value] of Object.entries(from)) {
      if (hasOwn(to, name)) {
        if (deepEqual(to[name]!, value)) continue;
        conflict(key, name);
      }
      to[name] = value;
    }
    target[key] = to;
  }
}

function deepEqual(a: PlainValue, b: PlainValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]!));
  }
  if (!isMap(a) || !isMap(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => hasOwn(b, k) && deepEqual(a[k]!, b[k]!));
}

function parseInclude(raw: PlainValue, where: string, doc: ParsedDocument): IncludeItem {
  const pos = doc.positions.get(where);
  if (typeof raw === "string") return { paths: [raw], envFiles: [] };
  if (!isMap(raw)) fail("schema", `${where} must be a mapping or string`, pos);
  const list = (v: PlainValue | undefined, key: string): string[] => {
    if (v === undefined || v === null) return [];
    if (typeof v === "string") return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
    fail("schema", `${where}.${key} must be a array or string`, doc.positions.get(`${where}.${key}`) ?? pos);
  };
  for (const key of Object.keys(raw)) {
    if (!["path", "project_directory", "env_file"].includes(key) && !key.startsWith("x-")) {
      fail(
        "schema",
        `${where} additional properties '${key}' not allowed`,
        doc.positions.get(`${where}.${key}`) ?? pos,
      );
    }
  }
  const paths = list(raw.path, "path");
  if (paths.length === 0) fail("schema", `${where} missing property 'path'`, pos);
  const pd = raw.project_directory;
  if (pd !== undefined && pd !== null && typeof pd !== "string")
    fail("schema", `${where}.project_directory must be a string`, pos);
  return { paths, projectDirectory: typeof pd === "string" ? pd : undefined, envFiles: list(raw.env_file, "env_file") };
}
