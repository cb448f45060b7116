/**
 * Differential-test support (this folder; index.ts re-exports it all): runs the real `docker-buildx` and `docker-compose` CLI plugins (fetched into
 * `<repo>/.tools/` by test/tools/fetch-docker-tools.sh, or, without `.tools/`, the ones Docker installed: see
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
import { spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { noteSkip, noteTools } from "../skips";

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
  /** Where they were found: `.tools` (test/tools/fetch-docker-tools.sh) or the user's Docker installation. */
  origin: string;
}

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const FETCH_HINT =
  "install Docker's buildx and compose plugins, or run test/tools/fetch-docker-tools.sh to fetch them into .tools/";
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
export function discoverTools(
  o: DiscoverOptions,
): { buildx: string; compose: string; dockerConfig?: string; origin: string } | { reason: string } {
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
    return {
      reason: `${missing} not found in ${o.toolsDir}, ~/.docker/cli-plugins, ${o.systemPluginDirs.join(", ")} or PATH; ${FETCH_HINT}`,
    };
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
    systemPluginDirs:
      processEnv.COMPOSE2BAKE_PLUGIN_DIRS?.split(path.delimiter).filter((d) => d !== "") ?? SYSTEM_PLUGIN_DIRS,
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
  for (const [name, bin] of [
    ["buildx", buildx],
    ["compose", compose],
  ] as const) {
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
  for (const [name, target] of [
    ["docker-buildx", buildx],
    ["docker-compose", compose],
  ] as const) {
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

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * Runs one tool process without blocking the test process, so a test can keep several running at once
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
