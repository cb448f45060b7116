/**
 * Differential-test support: runs the real `docker-buildx` and `docker-compose` CLI plugins (fetched into
 * `<repo>/.tools/` by scripts/fetch-docker-tools.sh, or, without `.tools/`, the ones Docker installed: see
 * discoverTools) and compares bake definitions after both have been resolved by `docker buildx bake --print`.
 * Which tools were used, or why none were, is noted for the end of the run (test/support/skips.ts).
 *
 * Why both sides go through bake: bake's `--print` is the one place where a bake file's meaning is made
 * explicit (defaults filled in, CSV strings parsed into objects, `${`-escapes checked). Compose's
 * `build --print` output is itself a bake file (CSV strings, `default=`), so it is resolved by the same
 * bake before comparing, exactly as `docker compose build` would hand it to bake.
 *
 * What was learnt by running buildx 0.29.1 and compose 2.40.3 (Debian sid) here, with no Docker engine:
 * - `bake --print` needs no builder and opens no socket (checked with strace). It does write state under
 *   `$DOCKER_CONFIG/buildx/`, so the tools always run with the private `.tools/docker-config`.
 * - `bake --print` fails when a secret `src` file is missing (`failed to stat …`; a secret with neither
 *   src nor env is looked up as a file named like its id), when an ssh path does not exist or is not a
 *   socket or a parseable private key, and when `default` is used without `SSH_AUTH_SOCK`
 *   (see withSshAgentSocket and writeSshPrivateKey). Missing contexts and Dockerfiles are not checked;
 *   env secrets whose variable is unset are not checked.
 * - Without `--progress=quiet`, bake writes a progress log (`#1 [internal] load local bake definitions`)
 *   to stderr; `--progress=none` is rejected by 0.29.1 ("invalid progress mode none").
 * - `compose build --print` works without buildx, but warns "buildx isn't installed" unless it can find
 *   the plugin in `$DOCKER_CONFIG/cli-plugins`. It tries to connect to the engine socket and carries on
 *   when that fails; DOCKER_HOST is pointed at a socket that does not exist so it never reaches a real one.
 * - Each invocation takes about 0.15–0.25 s.
 * Reference: ../../shared/docs/compose-build-bake-reference.md, buildx-bake-reference.md §6.
 */
import { spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { noteSkip, noteTools } from "./skips";

// ---------------------------------------------------------------------------------------------------
// Finding and running the tools
// ---------------------------------------------------------------------------------------------------

export interface RealTools {
  /** Absolute path of the docker-buildx plugin binary. */
  buildx: string;
  /** Absolute path of the docker-compose plugin binary. */
  compose: string;
  /**
   * The environment to run them with: a minimal one (PATH, HOME, TMPDIR, LANG) plus DOCKER_CONFIG (private
   * config dir with cli-plugins symlinks and an empty config.json, so no proxy build args and no buildx
   * state in the user's ~/.docker) and DOCKER_HOST (a socket path that does not exist). No COMPOSE_*,
   * BUILDX_*, SSH_AUTH_SOCK or SOURCE_DATE_EPOCH leaks in from the test runner: callers pass what they need.
   */
  env: NodeJS.ProcessEnv;
  versions: { buildx: string; compose: string };
  /** Where they were found: `.tools` (scripts/fetch-docker-tools.sh) or the user's Docker installation. */
  origin: string;
}

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const FETCH_HINT = "install Docker's buildx and compose plugins, or run scripts/fetch-docker-tools.sh to fetch them into .tools/";
const TIMEOUT_MS = 60_000;

let lookup: { tools?: RealTools; reason?: string } | undefined;

/**
 * The real `docker-buildx` and `docker-compose`, checked to run: from `.tools/` (or `$COMPOSE2BAKE_TOOLS_DIR`)
 * when it exists, else where Docker installs its CLI plugins (see {@link discoverTools}). Undefined when
 * they are absent or do not run; {@link whyNoRealTools} then says why. The result is cached for the process.
 */
export function findRealTools(): RealTools | undefined {
  if (!lookup) lookup = lookUpTools();
  if (lookup.tools) noteTools(describeRealTools(lookup.tools));
  else noteSkip("the differential tests (real docker buildx and docker compose)", lookup.reason!);
  return lookup.tools;
}

/** Why {@link findRealTools} returned undefined (undefined when it found the tools). */
export function whyNoRealTools(): string | undefined {
  if (!lookup) findRealTools();
  return lookup?.reason;
}

/** One line naming the tools and their versions, for the start of a test run. */
export function describeRealTools(tools: RealTools): string {
  return `real tools (${tools.origin}): ${tools.versions.buildx} at ${tools.buildx}; ${tools.versions.compose} at ${tools.compose}`;
}

export interface DiscoverOptions {
  /** `.tools`-style folder (bin/, docker-config/); used when it exists. */
  readonly toolsDir: string;
  readonly home?: string;
  /** The PATH to search last. */
  readonly pathEnv?: string;
  /** The system plugin folders, in Docker's order. */
  readonly systemPluginDirs: readonly string[];
}

/** Docker's system CLI-plugin folders (docker/cli's `defaultSystemPluginDirs` on Linux), in its order. */
export const SYSTEM_PLUGIN_DIRS = [
  "/usr/local/lib/docker/cli-plugins",
  "/usr/local/libexec/docker/cli-plugins",
  "/usr/lib/docker/cli-plugins",
  "/usr/libexec/docker/cli-plugins",
];

/**
 * Where the two binaries are, without running them: `<toolsDir>/bin` when `toolsDir` exists (then it must have
 * both); otherwise, for each, the first of `~/.docker/cli-plugins`, the system plugin folders and PATH that
 * holds an executable `docker-buildx` / `docker-compose`.
 */
export function discoverTools(o: DiscoverOptions): { buildx: string; compose: string; dockerConfig?: string; origin: string } | { reason: string } {
  if (fs.existsSync(o.toolsDir)) {
    const buildx = path.join(o.toolsDir, "bin", "docker-buildx");
    const compose = path.join(o.toolsDir, "bin", "docker-compose");
    const dockerConfig = path.join(o.toolsDir, "docker-config");
    for (const bin of [buildx, compose]) {
      if (!isExecutable(bin)) return { reason: `${bin} not found; ${FETCH_HINT}` };
    }
    if (!fs.existsSync(path.join(dockerConfig, "cli-plugins", "docker-buildx"))) {
      return { reason: `${dockerConfig}/cli-plugins/docker-buildx missing; ${FETCH_HINT}` };
    }
    return { buildx, compose, dockerConfig, origin: o.toolsDir };
  }
  const dirs = [
    ...(o.home ? [path.join(o.home, ".docker", "cli-plugins")] : []),
    ...o.systemPluginDirs,
    ...(o.pathEnv ?? "").split(path.delimiter).filter((d) => d !== ""),
  ];
  const find = (name: string) => dirs.map((d) => path.join(d, name)).find(isExecutable);
  const buildx = find("docker-buildx");
  const compose = find("docker-compose");
  if (!buildx || !compose) {
    const missing = [!buildx && "docker-buildx", !compose && "docker-compose"].filter(Boolean).join(" and ");
    return { reason: `${missing} not found in ${o.toolsDir}, ~/.docker/cli-plugins, ${o.systemPluginDirs.join(", ")} or PATH; ${FETCH_HINT}` };
  }
  return { buildx, compose, origin: "installed Docker plugins" };
}

/**
 * Finds the tools as {@link findRealTools} does, from the given environment, uncached (tests of the discovery
 * pass a fake HOME, COMPOSE2BAKE_TOOLS_DIR, COMPOSE2BAKE_PLUGIN_DIRS instead of the system folders, PATH).
 */
export function lookUpTools(processEnv: NodeJS.ProcessEnv = process.env): { tools?: RealTools; reason?: string } {
  const found = discoverTools({
    toolsDir: path.resolve(processEnv.COMPOSE2BAKE_TOOLS_DIR ?? path.join(REPO_ROOT, ".tools")),
    home: processEnv.HOME,
    pathEnv: processEnv.PATH,
    systemPluginDirs: processEnv.COMPOSE2BAKE_PLUGIN_DIRS?.split(path.delimiter).filter((d) => d !== "") ?? SYSTEM_PLUGIN_DIRS,
  });
  if ("reason" in found) return { reason: found.reason };
  const { buildx, compose } = found;
  const dockerConfig = found.dockerConfig ?? privateDockerConfig(buildx, compose);
  const env: NodeJS.ProcessEnv = {};
  for (const key of ["PATH", "HOME", "TMPDIR", "LANG"]) {
    const value = processEnv[key];
    if (value !== undefined) env[key] = value;
  }
  env.DOCKER_CONFIG = dockerConfig;
  env.DOCKER_HOST = `unix://${path.join(dockerConfig, "no-engine.sock")}`;
  const versions = { buildx: "", compose: "" };
  for (const [name, bin] of [["buildx", buildx], ["compose", compose]] as const) {
    const r = spawnSync(bin, ["version"], { env, encoding: "utf8", timeout: TIMEOUT_MS });
    if (r.status !== 0) {
      return { reason: `${bin} version failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}` };
    }
    versions[name] = r.stdout.trim();
  }
  return { tools: { buildx, compose, env, versions, origin: found.origin } };
}

/**
 * A Docker config folder of our own for tools found outside `.tools/`: an empty config.json (no proxies, no
 * credentials from the user's), buildx state kept out of ~/.docker, and cli-plugins links so compose finds
 * this buildx. Named after the two binaries, so every test process shares it.
 */
function privateDockerConfig(buildx: string, compose: string): string {
  const id = crypto.createHash("sha256").update(`${buildx}\0${compose}`).digest("hex").slice(0, 12);
  const dir = path.join(os.tmpdir(), `compose2bake-docker-config-${id}`);
  fs.mkdirSync(path.join(dir, "cli-plugins"), { recursive: true });
  for (const [name, target] of [["docker-buildx", buildx], ["docker-compose", compose]] as const) {
    try {
      fs.symlinkSync(target, path.join(dir, "cli-plugins", name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  if (!fs.existsSync(path.join(dir, "config.json"))) fs.writeFileSync(path.join(dir, "config.json"), "{}\n");
  return dir;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

function run(bin: string, argv: string[], cwd: string, env: NodeJS.ProcessEnv): RunResult {
  const started = process.hrtime.bigint();
  const r = spawnSync(bin, argv, { cwd, env, encoding: "utf8", timeout: TIMEOUT_MS, maxBuffer: 64 << 20 });
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  const stderr = r.error ? `${r.error.message}\n${r.stderr ?? ""}` : (r.stderr ?? "");
  return { status: r.error ? null : r.status, stdout: r.stdout ?? "", stderr, durationMs };
}

/**
 * The asynchronous twin of {@link run}, so a test can keep several tool processes running at once
 * (each one is a short-lived Go binary, ~0.2 s of CPU for bake and ~0.4 s for compose).
 */
export function runAsync(bin: string, argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(bin, argv, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: TIMEOUT_MS });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    let failure: Error | undefined;
    child.on("error", (e) => (failure = e));
    child.on("close", (code) => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const stderr = Buffer.concat(err).toString("utf8");
      resolve({
        status: failure ? null : code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: failure ? `${failure.message}\n${stderr}` : stderr,
        durationMs,
      });
    });
  });
}

export function commandLine(bin: string, argv: string[]): string {
  return [path.basename(bin), ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

export type ToolFailure = { ok: false; stderr: string; status: number | null; command: string; durationMs: number };

// ---------------------------------------------------------------------------------------------------
// bake --print
// ---------------------------------------------------------------------------------------------------

/** A group as `bake --print` writes it. */
export interface BakePrintGroup {
  targets?: string[];
  description?: string;
}

/**
 * A target as `bake --print` writes it (buildx-bake-reference.md §6). The newest buildx prints secret,
 * ssh, cache-from/to, output and attest as objects; older ones and bake *input* files use CSV strings.
 * Both are accepted here.
 */
export interface BakePrintTarget {
  description?: string;
  annotations?: string[];
  attest?: Array<string | Record<string, unknown>>;
  context?: string;
  contexts?: Record<string, string>;
  dockerfile?: string;
  "dockerfile-inline"?: string;
  args?: Record<string, string | null>;
  labels?: Record<string, string | null>;
  tags?: string[];
  "cache-from"?: Array<string | Record<string, unknown>>;
  "cache-to"?: Array<string | Record<string, unknown>>;
  target?: string;
  secret?: Array<string | { id?: string; src?: string; env?: string; type?: string }>;
  ssh?: Array<string | { id?: string; paths?: string[] }>;
  platforms?: string[];
  output?: Array<string | Record<string, unknown>>;
  pull?: boolean;
  "no-cache"?: boolean;
  network?: string;
  "no-cache-filter"?: string[];
  "shm-size"?: string;
  ulimits?: string[];
  call?: string;
  entitlements?: string[];
  "extra-hosts"?: Record<string, string | null>;
  [other: string]: unknown;
}

export interface BakePrint {
  group?: Record<string, BakePrintGroup>;
  target?: Record<string, BakePrintTarget>;
}

export interface BakePrintArgs {
  /** Bake files, as given to `-f` (relative ones are relative to cwd). */
  files: string[];
  /** Where bake runs: relative paths inside HCL/JSON bake files are relative to this folder. */
  cwd: string;
  /** Laid over RealTools.env (e.g. SSH_AUTH_SOCK, variables for env secrets, bake variables). */
  env?: Record<string, string>;
  /** Targets or groups to print; none means the `default` group. */
  targets?: string[];
}

export type BakePrintResult = { ok: true; json: BakePrint; stderr: string; durationMs: number } | ToolFailure;

/** `docker buildx bake --progress=quiet --print -f … [targets]`. */
export function bakePrint(tools: RealTools, args: BakePrintArgs): BakePrintResult {
  const argv = bakePrintArgv(args);
  return bakePrintResult(run(tools.buildx, argv, args.cwd, { ...tools.env, ...args.env }), commandLine(tools.buildx, argv));
}

/** {@link bakePrint}, without blocking the test process while bake runs. */
export async function bakePrintAsync(tools: RealTools, args: BakePrintArgs): Promise<BakePrintResult> {
  const argv = bakePrintArgv(args);
  const r = await runAsync(tools.buildx, argv, args.cwd, { ...tools.env, ...args.env });
  return bakePrintResult(r, commandLine(tools.buildx, argv));
}

function bakePrintArgv(args: BakePrintArgs): string[] {
  const argv = ["bake", "--progress=quiet", "--print"];
  for (const f of args.files) argv.push("-f", f);
  argv.push(...(args.targets ?? []));
  return argv;
}

function bakePrintResult(r: RunResult, command: string): BakePrintResult {
  if (r.status !== 0) return { ok: false, stderr: r.stderr, status: r.status, command, durationMs: r.durationMs };
  try {
    return { ok: true, json: JSON.parse(r.stdout) as BakePrint, stderr: r.stderr, durationMs: r.durationMs };
  } catch (e) {
    const why = `bake --print wrote no JSON (${(e as Error).message}):\n${r.stdout}\n${r.stderr}`;
    return { ok: false, stderr: why, status: r.status, command, durationMs: r.durationMs };
  }
}

// ---------------------------------------------------------------------------------------------------
// compose build --print
// ---------------------------------------------------------------------------------------------------

export interface ComposeBuildPrintArgs {
  /** The project folder when no files are given; relative `files` are relative to it. */
  cwd: string;
  /** `-f` files; none means compose's own lookup (compose.yaml, … in cwd and its parents). */
  files?: string[];
  /** Laid over RealTools.env: the process environment compose interpolates with (plus `.env`). */
  env?: Record<string, string>;
  profiles?: string[];
  /** Services to build; none means every active service with a build section. */
  services?: string[];
  projectName?: string;
  /** More global flags, placed before `build` (e.g. `--env-file`, `--project-directory`). */
  globalArgs?: string[];
}

export type ComposeBuildPrintResult = { ok: true; json: unknown; stderr: string; durationMs: number } | ToolFailure;

/**
 * `docker-compose [-f …] [--profile …] [-p …] build --print [services]`. `json` is the raw bake JSON that
 * compose generates, or null when compose printed nothing ("No services to build").
 */
export function composeBuildPrint(tools: RealTools, args: ComposeBuildPrintArgs): ComposeBuildPrintResult {
  const argv = composeArgv(args, ["build", "--print", ...(args.services ?? [])]);
  return composeBuildPrintResult(run(tools.compose, argv, args.cwd, { ...tools.env, ...args.env }), commandLine(tools.compose, argv));
}

/** {@link composeBuildPrint}, without blocking the test process while compose runs. */
export async function composeBuildPrintAsync(tools: RealTools, args: ComposeBuildPrintArgs): Promise<ComposeBuildPrintResult> {
  const argv = composeArgv(args, ["build", "--print", ...(args.services ?? [])]);
  const r = await runAsync(tools.compose, argv, args.cwd, { ...tools.env, ...args.env });
  return composeBuildPrintResult(r, commandLine(tools.compose, argv));
}

/**
 * Any docker-compose subcommand (e.g. `config --quiet`) with the project flags of `args`: for error cases,
 * which only need to know whether compose accepts the project.
 */
export async function composeRunAsync(
  tools: RealTools,
  args: ComposeBuildPrintArgs,
  subcommand: string[],
): Promise<{ ok: boolean; status: number | null; stdout: string; stderr: string; command: string; durationMs: number }> {
  const argv = composeArgv(args, subcommand);
  const r = await runAsync(tools.compose, argv, args.cwd, { ...tools.env, ...args.env });
  return { ok: r.status === 0, status: r.status, stdout: r.stdout, stderr: r.stderr, command: commandLine(tools.compose, argv), durationMs: r.durationMs };
}

function composeArgv(args: ComposeBuildPrintArgs, subcommand: string[]): string[] {
  const argv: string[] = [];
  for (const f of args.files ?? []) argv.push("-f", f);
  for (const p of args.profiles ?? []) argv.push("--profile", p);
  if (args.projectName !== undefined) argv.push("-p", args.projectName);
  argv.push(...(args.globalArgs ?? []), ...subcommand);
  return argv;
}

function composeBuildPrintResult(r: RunResult, command: string): ComposeBuildPrintResult {
  if (r.status !== 0) return { ok: false, stderr: r.stderr, status: r.status, command, durationMs: r.durationMs };
  if (r.stdout.trim() === "") return { ok: true, json: null, stderr: r.stderr, durationMs: r.durationMs };
  try {
    return { ok: true, json: JSON.parse(r.stdout) as unknown, stderr: r.stderr, durationMs: r.durationMs };
  } catch (e) {
    const why = `compose build --print wrote no JSON (${(e as Error).message}):\n${r.stdout}\n${r.stderr}`;
    return { ok: false, stderr: why, status: r.status, command, durationMs: r.durationMs };
  }
}

/**
 * Compose's side of a differential test: `compose build --print` in the project, its JSON written to a
 * temporary file, then `bake --print -f that.json` (run in args.cwd, with args.env plus bakeEnv, so that
 * SSH_AUTH_SOCK and env secrets are there as they would be for `docker compose build`). The default group
 * of compose's file lists the services being built, so bake prints exactly those targets (plus `target:`
 * context dependencies, with `output: cacheonly`).
 */
export type ComposeViaBakeArgs = ComposeBuildPrintArgs & { bakeEnv?: Record<string, string> };
export type ComposeViaBakeResult =
  | { ok: true; compose: unknown; json: BakePrint; durationMs: { compose: number; bake: number } }
  | (ToolFailure & { stage: "compose" | "bake"; compose?: unknown });

export function composeViaBake(tools: RealTools, args: ComposeViaBakeArgs): ComposeViaBakeResult {
  const c = composeBuildPrint(tools, args);
  if (!c.ok) return { ...c, stage: "compose" };
  if (c.json === null) return composeNothingToBuild(c.durationMs);
  return withComposeJson(c.json, (file) => {
    const b = bakePrint(tools, { files: [file], cwd: args.cwd, env: { ...args.env, ...args.bakeEnv } });
    return composeBakeResult(c, b);
  });
}

/** {@link composeViaBake}, without blocking the test process while the tools run. */
export async function composeViaBakeAsync(tools: RealTools, args: ComposeViaBakeArgs): Promise<ComposeViaBakeResult> {
  const c = await composeBuildPrintAsync(tools, args);
  if (!c.ok) return { ...c, stage: "compose" };
  if (c.json === null) return composeNothingToBuild(c.durationMs);
  const json = c.json;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-compose-"));
  try {
    const file = path.join(dir, "compose-bake.json");
    fs.writeFileSync(file, JSON.stringify(json, null, 2) + "\n");
    const b = await bakePrintAsync(tools, { files: [file], cwd: args.cwd, env: { ...args.env, ...args.bakeEnv } });
    return composeBakeResult(c, b);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function composeNothingToBuild(durationMs: number): ComposeViaBakeResult {
  return { ok: true, compose: null, json: { group: {}, target: {} }, durationMs: { compose: durationMs, bake: 0 } };
}

function withComposeJson<T>(json: unknown, f: (file: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-compose-"));
  try {
    const file = path.join(dir, "compose-bake.json");
    fs.writeFileSync(file, JSON.stringify(json, null, 2) + "\n");
    return f(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function composeBakeResult(c: { json: unknown; durationMs: number }, b: BakePrintResult): ComposeViaBakeResult {
  if (!b.ok) return { ...b, stage: "bake", compose: c.json };
  return { ok: true, compose: c.json, json: b.json, durationMs: { compose: c.durationMs, bake: b.durationMs } };
}

// ---------------------------------------------------------------------------------------------------
// Fixtures that bake --print checks for
// ---------------------------------------------------------------------------------------------------

/**
 * Binds a unix socket in a fresh temporary folder, for SSH_AUTH_SOCK: bake --print only checks that the
 * path is a socket (it never connects), so nothing has to answer on it. Always call close().
 */
export async function withSshAgentSocket(): Promise<{ path: string; close: () => Promise<void> }> {
  // Unix socket paths are limited to ~108 bytes, so keep the folder short.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-ssh-"));
  const socketPath = path.join(dir, "agent.sock");
  const server = net.createServer((conn) => conn.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  let closed = false;
  return {
    path: socketPath,
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes a freshly generated ed25519 private key (PKCS#8 PEM, mode 0600): bake --print parses the key
 * files named in `ssh` (`id=path`) and fails on anything that is not a key or a socket.
 */
export function writeSshPrivateKey(file: string): string {
  const { privateKey } = crypto.generateKeyPairSync("ed25519", {
    privateKeyEncoding: { format: "pem", type: "pkcs8" },
    publicKeyEncoding: { format: "pem", type: "spki" },
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, privateKey, { mode: 0o600 });
  return file;
}

// ---------------------------------------------------------------------------------------------------
// Normalising
// ---------------------------------------------------------------------------------------------------

/**
 * A value after normalising: strings, booleans, null, sorted string lists, or maps keyed by name
 * (a keyed set such as secrets-by-id is a map too, so a difference names the entry).
 */
export type NormalisedValue = string | boolean | null | string[] | { [key: string]: string | null };

export type NormalisedTarget = { [field: string]: NormalisedValue };

export interface NormalisedBake {
  /** group name → sorted target names. */
  groups: Record<string, string[]>;
  targets: Record<string, NormalisedTarget>;
}

/**
 * Per field: how it is made canonical, and whether order is kept. Order is dropped only where bake or
 * BuildKit gives it no meaning; everything else keeps the order bake printed.
 *
 * | field | canonical form | order |
 * |---|---|---|
 * | context | local path → absolute, real path; remote/`target:`/`docker-image://` kept | - |
 * | dockerfile | relative + local context → joined onto the context (what bake does at build time), absolute, real path | - |
 * | contexts | map; local values absolute like context | keys |
 * | args, labels, extra-hosts | map (bake's `$${` escaping kept as printed) | keys; the IP list inside an extra-hosts value keeps its order (first match wins in /etc/hosts) |
 * | tags | deduplicated set | sorted: every tag names the same image; bake itself dedups |
 * | secret | map id → `type=file,src=<abs>` / `type=env,env=V` | by id: bake merges secrets by id and BuildKit looks them up by id |
 * | ssh | map id → comma-joined absolute paths; `default=` (paths `[""]`) = `default` (no paths) | by id (bake sorts them itself). Both forms make buildx use SSH_AUTH_SOCK: the error for either is "agent config {default [] false}" |
 * | cache-from, cache-to, output | canonical CSV `type=…,k=v` (keys sorted, local src/dest absolute) | sorted: BuildKit imports/exports all of them |
 * | attest | map type → canonical CSV of the other attributes (`disabled=true` kept: it is not the same as absent) | by type (bake merges by type) |
 * | ulimits | map name → `soft:hard` | by name (compose writes them in Go map order) |
 * | entitlements, no-cache-filter, annotations | set | sorted |
 * | platforms | list | **kept**: it orders the manifest list of a multi-platform image |
 * | shm-size | bytes, as a decimal string (`2g`, `2GiB`, `2147483648` are equal); 0 dropped (buildx passes only a size above 0) | - |
 * | pull, no-cache | `false` dropped (same as absent) | - |
 * | anything else | canonical JSON text | - |
 */
export function normaliseBakePrint(json: BakePrint, baseDir: string): NormalisedBake {
  const groups: Record<string, string[]> = {};
  for (const [name, g] of Object.entries(json.group ?? {})) groups[name] = uniqueSorted(g.targets ?? []);
  const targets: Record<string, NormalisedTarget> = {};
  for (const [name, t] of Object.entries(json.target ?? {})) targets[name] = normaliseTarget(t, baseDir);
  return { groups, targets };
}

function normaliseTarget(t: BakePrintTarget, baseDir: string): NormalisedTarget {
  const out: NormalisedTarget = {};
  const context = t.context ?? ".";
  const localContext = isLocalPath(context);
  for (const [field, value] of Object.entries(t)) {
    if (value === undefined) continue;
    switch (field) {
      case "context":
        out[field] = localPathOrKeep(String(value), baseDir);
        break;
      case "dockerfile": {
        const df = String(value);
        if (df === "-" || !localContext) out[field] = df;
        else if (df.startsWith("cwd://")) out[field] = absoluteReal(df.slice("cwd://".length), baseDir);
        else out[field] = absoluteReal(df, path.resolve(baseDir, context));
        break;
      }
      case "contexts":
        out[field] = mapOf(value, (v) => (v === null ? null : localPathOrKeep(v, baseDir)));
        break;
      case "args":
      case "labels":
      case "extra-hosts":
        out[field] = mapOf(value, (v) => v);
        break;
      case "tags":
      case "entitlements":
      case "no-cache-filter":
      case "annotations":
        out[field] = uniqueSorted(asArray(value).map(String));
        break;
      case "secret":
        out[field] = keyedSecrets(asArray(value), baseDir);
        break;
      case "ssh":
        out[field] = keyedSsh(asArray(value), baseDir);
        break;
      case "cache-from":
      case "cache-to":
      case "output":
        out[field] = asArray(value)
          .map((e) => canonicalCsv(entryAttributes(e, field), baseDir))
          .sort();
        break;
      case "attest":
        out[field] = keyedAttests(asArray(value));
        break;
      case "ulimits":
        out[field] = keyedUlimits(asArray(value).map(String));
        break;
      case "platforms":
        out[field] = asArray(value).map(String);
        break;
      case "shm-size": {
        // buildx passes a size only when it is above 0 (build/opt.go toSolveOpt): "0" is the same as absent.
        const bytes = bytesOrKeep(String(value));
        if (bytes !== "0") out[field] = bytes;
        break;
      }
      case "pull":
      case "no-cache":
        if (value === true) out[field] = true;
        else if (value !== false) out[field] = canonicalJson(value);
        break;
      default:
        out[field] = typeof value === "string" || typeof value === "boolean" ? value : canonicalJson(value);
    }
  }
  return out;
}

/** Bake's notion of a remote or non-path value: URLs, git refs, `target:`/`docker-image://`/`oci-layout://`. */
function isLocalPath(value: string): boolean {
  if (value.startsWith("cwd://")) return true;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(value)) return false;
  if (value.startsWith("target:") || value.startsWith("git@") || value.startsWith("github.com/")) return false;
  return true;
}

function localPathOrKeep(value: string, baseDir: string): string {
  if (!isLocalPath(value)) return value;
  return absoluteReal(value.startsWith("cwd://") ? value.slice("cwd://".length) : value, baseDir);
}

/**
 * Absolute and with symlinks resolved as far as the path exists (docker compose resolves the symlinks of
 * the Dockerfile's folder; a build reads the same files either way, so the comparison must not care).
 */
function absoluteReal(p: string, baseDir: string): string {
  const abs = path.resolve(baseDir, p);
  let existing = abs;
  const rest: string[] = [];
  while (!fs.existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) return abs;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  return path.join(fs.realpathSync.native(existing), ...rest);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function uniqueSorted(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function mapOf(value: unknown, f: (v: string | null) => string | null): { [key: string]: string | null } {
  const out: { [key: string]: string | null } = {};
  if (value && typeof value === "object") {
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      out[key] = f(v === null || v === undefined ? null : String(v));
    }
  }
  return out;
}

/** Splits `a=b,c=d` (bake's CSV attribute form; values with commas may be double-quoted). */
function parseCsv(text: string): Array<[string, string | undefined]> {
  const fields: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      fields.push(cur);
      cur = "";
    } else cur += ch;
  }
  fields.push(cur);
  return fields
    .filter((f) => f !== "")
    .map((f) => {
      const eq = f.indexOf("=");
      return eq < 0 ? [f.trim(), undefined] : [f.slice(0, eq).trim().toLowerCase(), f.slice(eq + 1)];
    });
}

/** The attributes of a cache/output/attest entry, from its object or CSV form. */
function entryAttributes(entry: unknown, field: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  if (entry && typeof entry === "object") {
    for (const [k, v] of Object.entries(entry)) attrs[k] = typeof v === "string" ? v : JSON.stringify(v);
    return attrs;
  }
  const text = String(entry);
  const parts = parseCsv(text);
  if ((field === "cache-from" || field === "cache-to") && !text.includes("=")) {
    return { type: "registry", ref: text }; // `user/app:cache` means a registry ref (ParseCacheEntry)
  }
  if (field === "output" && !text.includes("=")) {
    return text === "-" ? { type: "tar", dest: "-" } : { type: "local", dest: text };
  }
  for (const [k, v] of parts) attrs[k] = v ?? "";
  return attrs;
}

const PATH_ATTRIBUTES = new Set(["src", "dest"]);

/** `type=…` first, then the other attributes sorted; local src/dest made absolute. */
function canonicalCsv(attrs: Record<string, string>, baseDir: string | undefined): string {
  const keys = Object.keys(attrs)
    .filter((k) => k !== "type")
    .sort();
  const parts = attrs.type !== undefined ? [`type=${attrs.type}`] : [];
  for (const k of keys) {
    let v = attrs[k] ?? "";
    if (baseDir !== undefined && PATH_ATTRIBUTES.has(k) && v !== "-" && v !== "" && isLocalPath(v)) {
      v = absoluteReal(v, baseDir);
    }
    parts.push(`${k}=${v}`);
  }
  return parts.join(",");
}

function keyedSecrets(entries: unknown[], baseDir: string): { [id: string]: string } {
  const out: { [id: string]: string } = {};
  for (const e of entries) {
    const a: Record<string, string> = {};
    if (e && typeof e === "object") {
      for (const [k, v] of Object.entries(e)) if (v !== undefined && v !== null) a[k] = String(v);
    } else {
      for (const [k, v] of parseCsv(String(e))) a[k === "source" ? "src" : k] = v ?? "";
    }
    const id = a.id ?? "";
    // Bake's rule: env set → env secret; otherwise a file (src defaults to a file named like the id).
    const env = a.env ?? (a.type === "env" ? id : undefined);
    out[id] =
      env !== undefined && a.type !== "file"
        ? `type=env,env=${env}`
        : `type=file,src=${absoluteReal(a.src ?? id, baseDir)}`;
  }
  return out;
}

function keyedSsh(entries: unknown[], baseDir: string): { [id: string]: string } {
  const out: { [id: string]: string } = {};
  for (const e of entries) {
    let id: string;
    let paths: string[];
    if (e && typeof e === "object") {
      const o = e as { id?: unknown; paths?: unknown };
      id = String(o.id ?? "");
      paths = Array.isArray(o.paths) ? o.paths.map(String) : [];
    } else {
      const text = String(e);
      const eq = text.indexOf("=");
      id = eq < 0 ? text : text.slice(0, eq);
      paths = eq < 0 ? [] : text.slice(eq + 1).split(",");
    }
    // `default=` (compose) is printed as paths [""]: the same as no path (the agent from SSH_AUTH_SOCK).
    paths = paths.filter((p) => p !== "").map((p) => absoluteReal(p, baseDir));
    out[id] = paths.join(",");
  }
  return out;
}

function keyedAttests(entries: unknown[]): { [type: string]: string } {
  const out: { [type: string]: string } = {};
  for (const e of entries) {
    const attrs = entryAttributes(e, "attest");
    const type = attrs.type ?? "";
    const rest = { ...attrs };
    delete rest.type;
    out[type] = canonicalCsv(rest, undefined);
  }
  return out;
}

function keyedUlimits(entries: string[]): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const e of entries) {
    const eq = e.indexOf("=");
    const name = eq < 0 ? e : e.slice(0, eq);
    const value = eq < 0 ? "" : e.slice(eq + 1);
    out[name] = value.includes(":") ? value : `${value}:${value}`; // `n=1024` means soft = hard = 1024
  }
  return out;
}

/** go-units RAMInBytes: binary units, optional `b`/`ib` suffix. Unparseable values are kept as written. */
function bytesOrKeep(value: string): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?\s*$/i.exec(value);
  if (!m) return value;
  const unit = "bkmgtp".indexOf((m[2] || "b").toLowerCase());
  return String(Math.round(Number(m[1]) * 1024 ** unit));
}

function canonicalJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sortKeys(value));
}

// ---------------------------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------------------------

export interface Difference {
  /** Target name, or `group:<name>` for a group. */
  target: string;
  /** Field name; `args.FOO`, `secret[id]`, … for one entry of a map or keyed set; `(target)` when a whole target is missing. */
  field: string;
  ours: unknown;
  theirs: unknown;
}

/** Documented differences to leave out of a comparison. Every rule applies to both sides. */
export interface IgnoreRules {
  /** Label keys to drop: a key ending in `.` is a prefix (`com.docker.compose.`), anything else exact. */
  labels?: string[];
  /** Output entries to drop, in canonical CSV form (`type=docker`). */
  outputs?: string[];
  /** Tags to drop (exact strings or patterns), e.g. compose's automatic `<project>-<service>` image name. */
  tags?: Array<string | RegExp>;
  /** Fields to leave out: `field` for every target, or `target.field` for one. */
  fields?: string[];
  /**
   * Groups: "compare" (default) compares every group; "default" compares only the `default` group;
   * "ignore" compares none. Groups present on one side only are reported unless ignored here.
   */
  groups?: "compare" | "default" | "ignore";
  /** Targets to leave out entirely (e.g. ones one side prints only as `cacheonly` dependencies). */
  targets?: string[];
  /**
   * Treat a disabled attestation (`type=provenance,disabled=true`) as absent, on both sides: for comparing with
   * a tool that writes nothing for `provenance: false` and lets bake's default decide.
   */
  disabledAttestations?: boolean;
}

/**
 * The differences between docker compose's own bake output and ours that the README documents
 * ("Deliberate differences from docker compose build --print"), each one checked by the differential tests:
 * - `labels`: compose adds com.docker.compose.{project,service,version} to every target;
 * - `outputs`: compose adds `type=docker` (load into its engine), or `type=image,push=false` when a target has
 *   more than one platform (the docker exporter cannot load a multi-platform image); we write no output;
 * - `groups`: we add one group per profile, so only `default` is compared;
 * - `disabledAttestations`: for `provenance: false` / `sbom: false` compose writes nothing, we write a disabled
 *   attestation (so bake's default does not switch provenance back on when the file is run by hand).
 * Tags need no rule: both sides write `<project>-<service>` when there is no image, and tags are compared as sets.
 */
export const COMPOSE_DOCUMENTED_DIFFERENCES: IgnoreRules = {
  labels: ["com.docker.compose."],
  outputs: ["type=docker", "type=image,push=false"],
  groups: "default",
  disabledAttestations: true,
};

/** Compares target by target, field by field. An empty list means the two are equivalent. */
export function compareBakes(ours: NormalisedBake, theirs: NormalisedBake, ignore: IgnoreRules = {}): Difference[] {
  const diffs: Difference[] = [];
  const groupMode = ignore.groups ?? "compare";
  if (groupMode !== "ignore") {
    const names = unionKeys(ours.groups, theirs.groups).filter((g) => groupMode === "compare" || g === "default");
    for (const g of names) {
      const skip = new Set(ignore.targets ?? []);
      const a = ours.groups[g]?.filter((t) => !skip.has(t));
      const b = theirs.groups[g]?.filter((t) => !skip.has(t));
      if (!deepEqual(a, b)) diffs.push({ target: `group:${g}`, field: "targets", ours: a, theirs: b });
    }
  }
  for (const name of unionKeys(ours.targets, theirs.targets)) {
    if (ignore.targets?.includes(name)) continue;
    const a = ours.targets[name];
    const b = theirs.targets[name];
    if (!a || !b) {
      diffs.push({ target: name, field: "(target)", ours: a, theirs: b });
      continue;
    }
    const fa = applyIgnores(name, a, ignore);
    const fb = applyIgnores(name, b, ignore);
    for (const field of unionKeys(fa, fb)) {
      const va = fa[field];
      const vb = fb[field];
      if (isMap(va) || isMap(vb)) {
        const ma = isMap(va) ? va : {};
        const mb = isMap(vb) ? vb : {};
        if (va !== undefined && vb !== undefined && (!isMap(va) || !isMap(vb))) {
          diffs.push({ target: name, field, ours: va, theirs: vb });
          continue;
        }
        const keyed = KEYED_SETS.has(field);
        for (const key of unionKeys(ma, mb)) {
          if (!deepEqual(ma[key], mb[key])) {
            diffs.push({ target: name, field: keyed ? `${field}[${key}]` : `${field}.${key}`, ours: ma[key], theirs: mb[key] });
          }
        }
      } else if (!deepEqual(va, vb)) {
        diffs.push({ target: name, field, ours: va, theirs: vb });
      }
    }
  }
  return diffs;
}

const KEYED_SETS = new Set(["secret", "ssh", "attest", "ulimits"]);

function applyIgnores(name: string, t: NormalisedTarget, ignore: IgnoreRules): NormalisedTarget {
  const out: NormalisedTarget = { ...t };
  for (const f of ignore.fields ?? []) {
    const dot = f.indexOf(".");
    if (dot < 0) delete out[f];
    else if (f.slice(0, dot) === name) delete out[f.slice(dot + 1)];
  }
  const labels = out.labels;
  if (ignore.labels?.length && isMap(labels)) {
    const kept: { [k: string]: string | null } = {};
    for (const [k, v] of Object.entries(labels)) {
      const dropped = ignore.labels.some((rule) => (rule.endsWith(".") ? k.startsWith(rule) : k === rule));
      if (!dropped) kept[k] = v;
    }
    if (Object.keys(kept).length) out.labels = kept;
    else delete out.labels;
  }
  const filterList = (field: string, drop: (v: string) => boolean) => {
    const v = out[field];
    if (!Array.isArray(v)) return;
    const kept = v.filter((x) => !drop(x));
    if (kept.length) out[field] = kept;
    else delete out[field];
  };
  if (ignore.outputs?.length) filterList("output", (v) => ignore.outputs!.includes(v));
  const attest = out.attest;
  if (ignore.disabledAttestations && isMap(attest)) {
    const kept = Object.fromEntries(Object.entries(attest).filter(([, v]) => !parseCsv(v ?? "").some(([k, x]) => k === "disabled" && x === "true")));
    if (Object.keys(kept).length) out.attest = kept;
    else delete out.attest;
  }
  if (ignore.tags?.length) {
    filterList("tags", (v) => ignore.tags!.some((rule) => (typeof rule === "string" ? rule === v : rule.test(v))));
  }
  return out;
}

function isMap(v: unknown): v is { [key: string]: string | null } {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** One line per difference, for test failure messages. */
export function formatDifferences(diffs: Difference[]): string {
  const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));
  return diffs.map((d) => `${d.target} ${d.field}: ours ${show(d.ours)}, theirs ${show(d.theirs)}`).join("\n");
}

// ---------------------------------------------------------------------------------------------------
// The whole differential step
// ---------------------------------------------------------------------------------------------------

export interface DifferentialArgs {
  /** Our bake file(s), resolved by bake in ours.cwd (relative paths in them are relative to it). */
  ours: BakePrintArgs;
  /** The compose project, built by docker compose and resolved by the same bake. */
  compose: ComposeBuildPrintArgs & { bakeEnv?: Record<string, string> };
  ignore?: IgnoreRules;
}

/** ours → bake --print; compose → build --print → bake --print; normalise both; compare. */
export function runDifferential(
  tools: RealTools,
  args: DifferentialArgs,
):
  | { ok: true; differences: Difference[]; ours: NormalisedBake; theirs: NormalisedBake; composeJson: unknown }
  | (ToolFailure & { side: "ours" | "compose" }) {
  const o = bakePrint(tools, args.ours);
  if (!o.ok) return { ...o, side: "ours" };
  const c = composeViaBake(tools, args.compose);
  if (!c.ok) return { ...c, side: "compose" };
  const ours = normaliseBakePrint(o.json, args.ours.cwd);
  const theirs = normaliseBakePrint(c.json, args.compose.cwd);
  return { ok: true, differences: compareBakes(ours, theirs, args.ignore), ours, theirs, composeJson: c.compose };
}
