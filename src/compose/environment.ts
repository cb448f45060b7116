/**
 * The project environment Compose interpolates with: the process environment, then env files that only
 * fill keys not set yet (compose-loading-reference.md §3.1). `--env-file` (or COMPOSE_ENV_FILES) replaces the
 * default `<dir>/.env`; among env files a later one overrides an earlier one.
 */
import { dictCopy, own, emptyDict } from "../dict";
import * as path from "../platform/path";
import { fail, type SourcePos } from "../diagnostics";
import { DotenvError, parseDotenv } from "./dotenv";
import { fsErrorText } from "./discover";
import { decodeUtf8, type FileStat, type FileSystem } from "../platform/file-system";
import { MAX_FILE_BYTES } from "./yaml";
import { expandUser } from "./paths";
import { SourceFile } from "../diagnostics";

export interface EnvironmentState {
  /** Process environment plus every env file read so far; the process environment always wins. */
  readonly values: Record<string, string>;
  /** Names whose value came from an env file rather than the process environment. */
  readonly fromFiles: Set<string>;
}

export function startEnvironment(
  processEnv: Readonly<Record<string, string | undefined>>,
  cwd: string,
): EnvironmentState {
  const values: Record<string, string> = emptyDict<Record<string, string>>();
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined) values[k] = v;
  if (values.PWD === undefined) values.PWD = cwd;
  return { values, fromFiles: new Set() };
}

export interface EnvFileOptions {
  readonly cwd: string;
  readonly home: string;
  /** `--env-file` values (see defaultEnvFiles); when empty, `<dir>/.env`. */
  readonly envFiles: readonly string[];
  /** Folder whose `.env` is read by default. */
  readonly dir: string;
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /**
   * False for `include`, whose env files are its own: COMPOSE_DISABLE_ENV_FILE does not apply there
   * (compose-go's include.go reads `<include folder>/.env` whenever it exists).
   */
  readonly useComposeEnvFiles?: boolean;
  /** Collects the absolute path of every env file read. */
  readonly inputs?: Set<string>;
  /** Where the env files are read from. */
  readonly fs: FileSystem;
  /** What `${X}` and bare keys look up before the files' own keys; default: the environment built so far. */
  readonly environment?: (name: string) => string | undefined;
  /**
   * An `include`'s `env_file`, where it is written: compose-go's include.go stats a relative one itself, with its
   * own words (`stat <path>: no such file or directory`, `<path> is not a file`).
   */
  readonly includeAt?: SourcePos;
}

/**
 * The `--env-file` list: the flags, else COMPOSE_ENV_FILES split on `,`. That variable is the flag's default
 * value, read from the process environment docker compose starts with, so one written in `.env` is ignored.
 */
export function defaultEnvFiles(
  flags: readonly string[] | undefined,
  processEnv: Readonly<Record<string, string | undefined>>,
): readonly string[] {
  if (flags && flags.length > 0) return flags;
  return (processEnv.COMPOSE_ENV_FILES ?? "").split(",").filter((f) => f.trim() !== "");
}

/**
 * Reads the env files for one pass and adds their keys to `state` without overriding keys already set. Returns
 * everything the files set, overridden or not.
 */
export function applyEnvFiles(state: EnvironmentState, options: EnvFileOptions): ReadonlyMap<string, string> {
  const topLevel = options.useComposeEnvFiles !== false;
  // COMPOSE_DISABLE_ENV_FILE is looked up in the environment built so far (compose-go's WithEnvFiles).
  const fromFiles = readEnvFiles(state, options, topLevel && parseGoBool(state.values.COMPOSE_DISABLE_ENV_FILE));
  for (const [k, v] of fromFiles) {
    if (state.values[k] === undefined) {
      state.values[k] = v;
      state.fromFiles.add(k);
    }
  }
  return fromFiles;
}

/**
 * What docker compose does before loading anything (cmd/compose/compose.go `setEnvWithDotEnv`): the env files
 * of the first pass are read and their `COMPOSE_*` keys are copied into its own process environment, unless set
 * there already. So a `COMPOSE_DISABLE_ENV_FILE=true` written in `.env` disables that very `.env` (only its
 * `COMPOSE_*` keys remain), and those keys are process variables for the passes that follow.
 * Returns the process environment to use from then on.
 */
export function liftComposeVariables(
  state: EnvironmentState,
  options: EnvFileOptions,
): Readonly<Record<string, string | undefined>> {
  // Null prototypes: a variable named `constructor` or `__proto__` is looked up like any other.
  const processEnv = dictCopy<string | undefined>(options.processEnv);
  const prepass: EnvironmentState = {
    values: dictCopy(options.processEnv) as Record<string, string>,
    fromFiles: new Set(),
  };
  for (const k of Object.keys(prepass.values)) if (prepass.values[k] === undefined) delete prepass.values[k];
  const fromFiles = readEnvFiles(prepass, options, parseGoBool(options.processEnv.COMPOSE_DISABLE_ENV_FILE));
  for (const [k, v] of fromFiles) {
    if (!k.startsWith("COMPOSE_") || processEnv[k] !== undefined) continue;
    processEnv[k] = v;
    if (state.values[k] === undefined) {
      state.values[k] = v;
      state.fromFiles.add(k);
    }
  }
  return processEnv;
}

/** What one pass's env files set (an include's: never disabled), reading `options.environment` alone. */
export function readEnvFileValues(options: EnvFileOptions): Map<string, string> {
  return readEnvFiles({ values: emptyDict<Record<string, string>>(), fromFiles: new Set() }, options, false);
}

/** The merged content of one pass's env files (a later file overrides an earlier one). */
function readEnvFiles(state: EnvironmentState, options: EnvFileOptions, disabled: boolean): Map<string, string> {
  let files: string[];
  let mustExist = true;
  const fromFiles = new Map<string, string>();
  if (options.envFiles.length > 0) {
    files = [...options.envFiles];
  } else {
    if (disabled) return fromFiles;
    files = [path.join(options.dir, ".env")];
    mustExist = false;
  }
  for (const file of files) {
    if (file === "/dev/null") continue;
    const abs = path.resolve(options.cwd, expandUser(file, options.home));
    let stat: FileStat | undefined;
    let statError = "no such file or directory";
    try {
      stat = options.fs.stat(abs);
    } catch (e) {
      statError = fsErrorText(e);
      // Only a missing file is skipped or "not found": docker compose reports a symlink loop, for one.
      const code = (e as { code?: unknown }).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") fail("env-file-unreadable", `stat ${abs}: ${fsErrorText(e)}`);
      stat = undefined;
    }
    const included = options.includeAt !== undefined && !path.isAbsolute(file);
    if (!stat) {
      if (included) fail("env-file-missing", `stat ${abs}: ${statError}`, options.includeAt);
      if (mustExist) fail("env-file-missing", `couldn't find env file: ${abs}`, options.includeAt);
      continue;
    }
    if (stat.isDirectory) {
      if (included) fail("env-file-directory", `${abs} is not a file`, options.includeAt);
      if (mustExist) fail("env-file-directory", `${abs} is a directory`, options.includeAt);
      continue;
    }
    // A pipe, socket or device as `.env` or an include's env file (a committed symlink to `/dev/tty`) could make a
    // hook wait forever: refused, but for `/dev/null` (empty). `--env-file` and COMPOSE_ENV_FILES may name any
    // (`--env-file <(…)`).
    if (!stat.isFile && (!mustExist || options.includeAt !== undefined)) {
      if (options.fs.realpath(abs) === "/dev/null") continue;
      fail("env-file-not-regular", `open ${abs}: not a regular file`, options.includeAt);
    }
    let bytes: Uint8Array | undefined;
    options.inputs?.add(abs);
    try {
      bytes = options.fs.read(abs, MAX_FILE_BYTES);
    } catch (e) {
      fail("env-file-unreadable", `open ${abs}: ${fsErrorText(e)}`);
    }
    if (!bytes) fail("env-file-too-large", `read ${abs}: env file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
    // Invalid UTF-8 becomes U+FFFD, as docker compose's JSON output shows it.
    const text = decodeUtf8(bytes);
    // Inside an env file, ${} looks at the environment built so far (process environment, PWD, keys of an
    // earlier pass), then at keys read earlier in this file, then at those of the pass's earlier files: with
    // `--env-file base.env --env-file override.env`, override.env's own `H=…` is what its `${H}` means
    // (checked against docker compose: test/loading/env-file-later-file-own-keys).
    const lookup = options.environment ?? ((name: string): string | undefined => own(state.values, name));
    let parsed: Map<string, string>;
    try {
      parsed = parseDotenv(text, lookup, undefined, (name) => fromFiles.get(name));
    } catch (e) {
      if (e instanceof DotenvError) {
        const source = new SourceFile(abs, text);
        fail("env-file-syntax", `failed to read ${abs}: ${e.message}`, { file: source, offset: e.offset });
      }
      throw e;
    }
    for (const [k, v] of parsed) fromFiles.set(k, v);
  }
  return fromFiles;
}

/** Go's strconv.ParseBool, as WithEnvFiles applies it to COMPOSE_DISABLE_ENV_FILE: anything else is an error. */
function parseGoBool(v: string | undefined): boolean {
  if (v === undefined) return false;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  fail("invalid-boolean", `strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

/** Go's strconv.ParseBool, which COMPOSE_DISABLE_ENV_FILE and friends use. */
export function isTrue(v: string | undefined): boolean {
  return v !== undefined && ["1", "t", "T", "TRUE", "true", "True"].includes(v);
}
