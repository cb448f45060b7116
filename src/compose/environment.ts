/**
 * The project environment Compose interpolates with: the process environment, then env files that only
 * fill keys not set yet (compose-loading-reference.md §3.1). `--env-file` (or COMPOSE_ENV_FILES) replaces the
 * default `<dir>/.env`; among env files a later one overrides an earlier one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fail } from "../diagnostics";
import { DotenvError, parseDotenv } from "./dotenv";
import { SourceFile } from "../diagnostics";

export interface EnvironmentState {
  /** Process environment plus every env file read so far; the process environment always wins. */
  readonly values: Record<string, string>;
  /** Names whose value came from an env file rather than the process environment. */
  readonly fromFiles: Set<string>;
}

export function startEnvironment(processEnv: Readonly<Record<string, string | undefined>>, cwd: string): EnvironmentState {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined) values[k] = v;
  if (values.PWD === undefined) values.PWD = cwd;
  return { values, fromFiles: new Set() };
}

export interface EnvFileOptions {
  readonly cwd: string;
  readonly home: string;
  /** `--env-file` values as given; when empty, COMPOSE_ENV_FILES, then `<dir>/.env`. */
  readonly envFiles: readonly string[];
  /** Folder whose `.env` is read by default. */
  readonly dir: string;
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /** Whether COMPOSE_ENV_FILES may supply the list (not for `include`, whose env files are its own). */
  readonly useComposeEnvFiles?: boolean;
}

/** Reads the env files for one pass and adds their keys to `state` without overriding keys already set. */
export function applyEnvFiles(state: EnvironmentState, options: EnvFileOptions): void {
  let files: string[];
  let mustExist = true;
  if (options.envFiles.length > 0) {
    files = [...options.envFiles];
  } else if (options.useComposeEnvFiles !== false && state.values.COMPOSE_ENV_FILES) {
    files = state.values.COMPOSE_ENV_FILES.split(",").filter((f) => f !== "");
  } else {
    if (isTrue(options.processEnv.COMPOSE_DISABLE_ENV_FILE)) return;
    files = [path.join(options.dir, ".env")];
    mustExist = false;
  }
  // Later files override earlier ones, so collect them into one map first, then merge without overriding.
  const fromFiles = new Map<string, string>();
  for (const file of files) {
    if (file === "/dev/null") continue;
    const abs = path.resolve(options.cwd, expandHome(file, options.home));
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(abs);
    } catch {
      stat = undefined;
    }
    if (!stat) {
      if (mustExist) fail("env-file-missing", `couldn't find env file: ${abs}`);
      continue;
    }
    if (stat.isDirectory()) {
      if (mustExist) fail("env-file-directory", `${abs} is a directory`);
      continue;
    }
    const text = fs.readFileSync(abs, "utf8");
    // Inside an env file the process environment wins, then keys read earlier (this file or a previous one).
    const lookup = (name: string): string | undefined => options.processEnv[name] ?? fromFiles.get(name);
    let parsed: Map<string, string>;
    try {
      parsed = parseDotenv(text, lookup);
    } catch (e) {
      if (e instanceof DotenvError) {
        const source = new SourceFile(abs, text);
        fail("env-file-syntax", `failed to read ${abs}: ${e.message}`, { file: source, offset: lineOffset(text, e.line) });
      }
      throw e;
    }
    for (const [k, v] of parsed) fromFiles.set(k, v);
  }
  for (const [k, v] of fromFiles) {
    if (state.values[k] === undefined) {
      state.values[k] = v;
      state.fromFiles.add(k);
    }
  }
}

function lineOffset(text: string, line: number): number {
  let offset = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) break;
    offset = next + 1;
  }
  return offset;
}

/** compose-go's `~` rule: any value starting with `~` becomes home + the rest. */
export function expandHome(p: string, home: string): string {
  return p.startsWith("~") ? home + p.slice(1) : p;
}

/** Go's strconv.ParseBool, which COMPOSE_DISABLE_ENV_FILE and friends use. */
export function isTrue(v: string | undefined): boolean {
  return v !== undefined && ["1", "t", "T", "TRUE", "true", "True"].includes(v);
}
