/**
 * The loaded Compose project: the contract between the loader and the converter.
 * Everything here is already interpolated, merged (override files, extends, include), normalised to the
 * long syntax and resolved against the project directory, exactly as compose-go leaves it before
 * docker compose turns it into a bake file (../shared/docs/compose-loading-reference.md §12).
 * Keys are spelled as the Compose spec spells them.
 */
import type { SourcePos } from "../diagnostics";
import type { KeptVariables } from "./keep";

export interface ComposeProject {
  /** Normalised project name (`-p` > COMPOSE_PROJECT_NAME > `name:` > folder name). */
  readonly name: string;
  /** Absolute project directory; every relative path was resolved against it. */
  readonly workingDir: string;
  /** Absolute paths of the compose files, in load order. */
  readonly files: readonly string[];
  /** Every service of the project, active or not, by name. */
  readonly services: Readonly<Record<string, ComposeService>>;
  /** Top-level `secrets`, by name. */
  readonly secrets: Readonly<Record<string, ComposeSecret>>;
  /** Profiles that were enabled (flags, COMPOSE_PROFILES, or turned on by naming a service). */
  readonly activeProfiles: readonly string[];
  /** The services the user named on the command line (empty: all active services). */
  readonly selectedServices: readonly string[];
  /** Variables read from env files (`.env`, `--env-file`); names only matter to the converter's warnings. */
  readonly envFileVariables: ReadonlySet<string>;
  /**
   * Variables that only included projects' env files set (`include: env_file`, their `.env`), with the value
   * the first include read. Apart from envFileVariables: they never reach the main project's environment.
   */
  readonly includedEnvFileVariables: ReadonlyMap<string, string>;
  /** Process environment plus env files, as used for interpolation. */
  readonly environment: Readonly<Record<string, string>>;
  /** Where a value was written, by dotted path (`services.web.build.args.FOO`); see `pathKey`. */
  readonly positions: PositionTable;
  /** In "keep" mode: the variable references left as tokens in string values (see compose/keep.ts). */
  readonly kept?: KeptVariables;
}

/** Lookup of source positions by path; the winning file's position after merges. */
export interface PositionTable {
  get(path: string): SourcePos | undefined;
}

export interface ComposeService {
  readonly name: string;
  readonly image?: string;
  readonly platform?: string;
  readonly profiles: readonly string[];
  /** True when the service is enabled by the active profiles. */
  readonly active: boolean;
  readonly build?: ComposeBuild;
}

export interface ComposeServiceSecret {
  readonly source: string;
  readonly target?: string;
  readonly uid?: string;
  readonly gid?: string;
  readonly mode?: string | number;
}

export interface ComposeUlimit {
  /** `nofile: 1024` form. */
  readonly single?: number;
  readonly soft?: number;
  readonly hard?: number;
}

export interface ComposeSsh {
  readonly id: string;
  /** Absolute path, or undefined for `default` without a path (the agent socket). */
  readonly path?: string;
}

export interface ComposeBuild {
  /** Absolute local path, or a remote context (git URL, http tarball) kept as written. */
  readonly context: string;
  /** Relative to the context, as written; absent when dockerfile_inline is used. */
  readonly dockerfile?: string;
  readonly dockerfile_inline?: string;
  /** Value-less args were already resolved from the project environment or dropped. Insertion order = written order. */
  readonly args: Readonly<Record<string, string>>;
  /**
   * Keep mode, a list one of whose keys holds a variable: the whole list as one kept form (a token), which bake
   * builds into its map (keep-key-values.ts); args is then empty.
   */
  readonly args_kept?: string;
  readonly ssh: readonly ComposeSsh[];
  readonly labels: Readonly<Record<string, string>>;
  /** Keep mode: as args_kept, for labels. */
  readonly labels_kept?: string;
  readonly cache_from: readonly string[];
  readonly cache_to: readonly string[];
  /** A string only in keep mode: a value holding keep tokens, which bake reads as a boolean (KeptBoolean). */
  readonly no_cache?: boolean | string;
  readonly no_cache_filter: readonly string[];
  /** Local paths absolute; `service:`, `docker-image://`, URLs kept as written. */
  readonly additional_contexts: Readonly<Record<string, string>>;
  /**
   * Keep mode, a list one of whose names holds a variable: the whole list as one kept form (a token), which bake
   * builds into its map (keep-contexts.ts); additional_contexts then holds only its entries with a literal name.
   */
  readonly additional_contexts_kept?: string;
  readonly network?: string;
  readonly provenance?: string;
  readonly sbom?: string;
  /** A string only in keep mode (see no_cache). */
  readonly pull?: boolean | string;
  readonly target?: string;
  /**
   * Bytes; a string only in keep mode: a value holding keep tokens, which bake parses with the same go-units
   * RAMInBytes as Compose.
   */
  readonly shm_size?: number | string;
  readonly extra_hosts: Readonly<Record<string, readonly string[]>>;
  /**
   * Keep mode, a list one of whose host names holds a variable: the whole list as one kept form (a token),
   * which bake builds into its map; extra_hosts is then empty.
   */
  readonly extra_hosts_kept?: string;
  readonly isolation?: string;
  /** A string only in keep mode (see no_cache). */
  readonly privileged?: boolean | string;
  readonly secrets: readonly ComposeServiceSecret[];
  readonly tags: readonly string[];
  readonly ulimits: Readonly<Record<string, ComposeUlimit>>;
  readonly platforms: readonly string[];
  readonly entitlements: readonly string[];
  /** `x-*` keys inside `build:` (notably `x-bake`), interpolated but otherwise raw. */
  readonly extensions: Readonly<Record<string, unknown>>;
}

export interface ComposeSecret {
  readonly name: string;
  /** Absolute path. */
  readonly file?: string;
  /** Name of the environment variable holding the value (never the value itself). */
  readonly environment?: string;
  readonly external?: boolean;
}

/** Builds the dotted path used as a key in PositionTable. List items use their index: `build.secrets.0`. */
export function pathKey(...parts: ReadonlyArray<string | number>): string {
  return parts.join(".");
}
