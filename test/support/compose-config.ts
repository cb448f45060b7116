/**
 * Loading scenarios (test/loading/) checked against the real Docker Compose: runs `docker-compose … config`
 * with the scenario's flags, environment and current folder, and brings what it prints to the same stable view
 * that test/loading.test.ts makes of our loaded project, so the two can be compared with `toEqual`.
 *
 * What `docker-compose config` (2.40.3, Debian) prints, and what the normaliser does about it:
 * - only the *active* services (profiles applied, or the services named on the command line) and only the
 *   top-level secrets some active service uses;
 * - every `$` in a string doubled (`$$`), so the output can be loaded again: undone here;
 * - `build.context` and local `additional_contexts` absolute, `dockerfile` as written, the default
 *   `dockerfile: Dockerfile` only when there is no `dockerfile_inline`;
 * - `args` and `labels` as mappings, `shm_size` as a string of bytes, `extra_hosts` as a sorted `host=ip` list,
 *   `ulimits` as `name: N` or `{soft, hard}`, `ssh` as a list (`default`, and `id: /abs/path` in YAML), build secrets as `{source, target?, uid?, gid?, mode?}` with `mode`
 *   written in octal as a string ("0400");
 * - `--format json` fails on any `build.ssh` (`json: error calling MarshalJSON for type types.SSHKey`, a bug of
 *   that release) and leaves out `x-*` keys inside `build`; `--format yaml` has neither problem, so it is used
 *   for those scenarios (parsed as YAML 1.2 — compose quotes every string that could read as another type).
 */
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import type { CaseOptions } from "./cases";
import { commandLine, runAsync } from "./realtools";
import { dict } from "../../src/dict";

/** The loading options of a scenario's command line (its case.json `args`, read by cases.ts caseOptions). */
export type ScenarioArgs = Omit<CaseOptions, "resolve" | "absolutePaths">;

/** A build section as the scenarios show it: our ComposeBuild, local paths relative, empty values left out. */
export interface StableBuild {
  context: string;
  dockerfile?: string;
  dockerfile_inline?: string;
  args?: Record<string, string>;
  ssh?: string[];
  labels?: Record<string, string>;
  cache_from?: string[];
  cache_to?: string[];
  no_cache?: boolean;
  no_cache_filter?: string[];
  additional_contexts?: Record<string, string>;
  network?: string;
  provenance?: string;
  sbom?: string;
  pull?: boolean;
  target?: string;
  shm_size?: number;
  extra_hosts?: Record<string, string[]>;
  isolation?: string;
  privileged?: boolean;
  secrets?: Array<Record<string, string | number>>;
  tags?: string[];
  ulimits?: Record<string, number | { soft?: number; hard?: number }>;
  platforms?: string[];
  entitlements?: string[];
  extensions?: Record<string, unknown>;
}

export interface StableSecret {
  file?: string;
  environment?: string;
  external?: boolean;
}

/** What compose's `config` output says about the services it printed. */
export interface ComposeView {
  name: string;
  services: Record<string, { image?: string; platform?: string; build?: StableBuild }>;
  secrets: Record<string, StableSecret>;
}

// ---------------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------------

/**
 * An absolute path below (or equal to) `root` as `./rel` (`.` for root itself); any other value unchanged,
 * so remote contexts and paths outside the scenario (`$HOME/...`) stay as they are.
 */
export function relativeTo(root: string, value: string): string {
  if (!path.isAbsolute(value)) return value;
  if (value === root) return ".";
  if (value.startsWith(root + path.sep)) return "./" + path.relative(root, value).split(path.sep).join("/");
  return value;
}

// ---------------------------------------------------------------------------------------------------
// Running compose
// ---------------------------------------------------------------------------------------------------

/** The global flags of `docker compose` for a scenario, in the order the CLI documents them. */
export function composeGlobalArgs(args: ScenarioArgs): string[] {
  const argv: string[] = [];
  for (const f of args.files ?? []) argv.push("-f", f);
  if (args.projectName !== undefined) argv.push("-p", args.projectName);
  for (const p of args.profiles ?? []) argv.push("--profile", p);
  for (const e of args.envFiles ?? []) argv.push("--env-file", e);
  if (args.projectDirectory !== undefined) argv.push("--project-directory", args.projectDirectory);
  return argv;
}

export interface ComposeRun {
  readonly command: string;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCompose(
  bin: string,
  argv: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<ComposeRun> {
  const r = await runAsync(bin, [...argv], cwd, env);
  return { command: commandLine(bin, [...argv]), status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The names in compose's `The "X" variable is not set` warnings, sorted. */
export function unsetVariables(stderr: string): string[] {
  const names = new Set<string>();
  for (const m of stderr.matchAll(/The \\?"([^"\\]+)\\?" variable is not set/g)) names.add(m[1]!);
  return [...names].sort();
}

/**
 * Compose's error message, stable across checkouts: logrus warning lines dropped, the scenario folder
 * written as `<scenario>`.
 */
export function composeErrorText(stderr: string, scenarioDir: string): string {
  return stderr
    .split("\n")
    .filter((l) => l.trim() !== "" && !/^time="[^"]*" level=warning /.test(l))
    .join("\n")
    .split(scenarioDir)
    .join("<scenario>");
}

// ---------------------------------------------------------------------------------------------------
// Normalising compose's output
// ---------------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonMap = { [k: string]: Json };

/** Parses compose's output (JSON or YAML) and brings it to the stable view. */
export function normaliseComposeConfig(text: string, format: "json" | "yaml", scenarioDir: string): ComposeView {
  const raw = (format === "json" ? JSON.parse(text) : parseYaml(text, { version: "1.2", schema: "core" })) as Json;
  const config = undoDollarEscapes(raw) as JsonMap;
  const services: ComposeView["services"] = dict();
  for (const [name, s] of Object.entries(asMap(config.services))) {
    const service = asMap(s);
    const view: ComposeView["services"][string] = {};
    if (typeof service.image === "string") view.image = service.image;
    if (typeof service.platform === "string") view.platform = service.platform;
    if (service.build !== undefined && service.build !== null)
      view.build = normaliseBuild(asMap(service.build), scenarioDir);
    services[name] = view;
  }
  const secrets = dict<StableSecret>();
  for (const [name, s] of Object.entries(asMap(config.secrets))) {
    const secret = asMap(s);
    const view: StableSecret = {};
    if (typeof secret.file === "string") view.file = relativeTo(scenarioDir, secret.file);
    if (typeof secret.environment === "string") view.environment = secret.environment;
    if (secret.external === true) view.external = true;
    secrets[name] = view;
  }
  return { name: String(config.name), services, secrets };
}

function normaliseBuild(b: JsonMap, dir: string): StableBuild {
  const out: StableBuild = { context: relativeTo(dir, String(b.context)) };
  const str = (k: string): string | undefined =>
    typeof b[k] === "string" && b[k] !== "" ? (b[k] as string) : undefined;
  const strings = (k: string): string[] | undefined => {
    const v = b[k];
    return Array.isArray(v) && v.length > 0 ? v.map(String) : undefined;
  };
  const mapping = (k: string): Record<string, string> | undefined => {
    const v = asMap(b[k]);
    const entries = Object.entries(v).map(([key, value]) => [key, value === null ? "" : String(value)] as const);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  };
  const bool = (k: string): boolean | undefined => (typeof b[k] === "boolean" ? (b[k] as boolean) : undefined);
  set(out, "dockerfile", str("dockerfile"));
  set(out, "dockerfile_inline", str("dockerfile_inline"));
  set(out, "args", mapping("args"));
  // The YAML form of 2.40.3 writes an ssh key as the string `id: path` (newer releases: `id=path`).
  if (Array.isArray(b.ssh) && b.ssh.length > 0) out.ssh = b.ssh.map((k) => sshKey(String(k), dir));
  set(out, "labels", mapping("labels"));
  set(out, "cache_from", strings("cache_from"));
  set(out, "cache_to", strings("cache_to"));
  set(out, "no_cache", bool("no_cache"));
  const ncf = b.no_cache_filter;
  set(out, "no_cache_filter", typeof ncf === "string" ? [ncf] : strings("no_cache_filter"));
  const contexts = mapping("additional_contexts");
  if (contexts)
    out.additional_contexts = Object.fromEntries(Object.entries(contexts).map(([k, v]) => [k, relativeTo(dir, v)]));
  set(out, "network", str("network"));
  set(out, "provenance", str("provenance"));
  set(out, "sbom", str("sbom"));
  set(out, "pull", bool("pull"));
  set(out, "target", str("target"));
  if (b.shm_size !== undefined && b.shm_size !== null) out.shm_size = Number(b.shm_size);
  if (Array.isArray(b.extra_hosts) && b.extra_hosts.length > 0) {
    const hosts = dict<string[]>();
    for (const item of b.extra_hosts.map(String)) {
      const eq = item.indexOf("=");
      (hosts[item.slice(0, eq)] ??= []).push(item.slice(eq + 1));
    }
    out.extra_hosts = hosts;
  }
  set(out, "isolation", str("isolation"));
  set(out, "privileged", bool("privileged"));
  if (Array.isArray(b.secrets) && b.secrets.length > 0) {
    out.secrets = b.secrets.map((s) => {
      const m = asMap(s);
      const secret: Record<string, string | number> = {};
      for (const k of ["source", "target", "uid", "gid"]) if (typeof m[k] === "string") secret[k] = m[k] as string;
      // FileMode is printed in octal; the stable view holds the number.
      if (m.mode !== undefined && m.mode !== null) secret.mode = parseInt(String(m.mode), 8);
      return secret;
    });
  }
  set(out, "tags", strings("tags"));
  const ulimits = asMap(b.ulimits);
  if (Object.keys(ulimits).length > 0) {
    out.ulimits = Object.fromEntries(
      Object.entries(ulimits).map(([k, v]) => [
        k,
        typeof v === "number" ? v : (asMap(v) as { soft?: number; hard?: number }),
      ]),
    );
  }
  set(out, "platforms", strings("platforms"));
  set(out, "entitlements", strings("entitlements"));
  const extensions = Object.entries(b).filter(([k]) => k.startsWith("x-"));
  if (extensions.length > 0) out.extensions = Object.fromEntries(extensions);
  return out;
}

function sshKey(item: string, dir: string): string {
  const m = /^([^=:]+)(?:=|: )(.*)$/.exec(item);
  if (!m) return item;
  return m[2] === "" ? m[1]! : `${m[1]}=${relativeTo(dir, m[2]!)}`;
}

function set<K extends keyof StableBuild>(out: StableBuild, key: K, value: StableBuild[K] | undefined): void {
  if (value !== undefined) out[key] = value;
}

function asMap(v: Json | undefined): JsonMap {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v : {};
}

/** compose writes `$` as `$$` in every string of its output, mapping keys included. */
function undoDollarEscapes(v: Json): Json {
  if (typeof v === "string") return v.replace(/\$\$/g, "$");
  if (Array.isArray(v)) return v.map(undoDollarEscapes);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/\$\$/g, "$"), undoDollarEscapes(x)]));
  }
  return v;
}

/**
 * A build view fit for comparing ours with compose's: the ssh ids sorted (compose leaves their order to a Go
 * map) and the booleans compose cannot print as false left out. Returns a copy.
 */
export function comparableBuild(b: StableBuild | undefined): StableBuild | undefined {
  if (!b) return b;
  const out: StableBuild = { ...b };
  if (out.ssh) out.ssh = [...out.ssh].sort();
  // Go's `omitempty`: compose does not print a false no_cache, pull or privileged.
  for (const k of ["no_cache", "pull", "privileged"] as const) if (out[k] === false) delete out[k];
  return out;
}
