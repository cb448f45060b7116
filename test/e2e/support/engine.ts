/**
 * The private Docker engine of the end-to-end tests (test/tools/engine.sh) and the commands run against it.
 *
 * global-setup.ts starts the engine (or reuses one that test/tools/engine.sh already started) and hands its
 * environment to the test files through C2B_E2E_* variables; every docker, buildx and compose command of the
 * tests then runs with a small fixed environment: PATH, HOME, DOCKER_HOST (the engine's socket) and
 * DOCKER_CONFIG (.tools/engine/docker-config: cli-plugins for buildx 0.29.1 and compose 2.40.3, an empty
 * config.json), plus what a test adds (SSH_AUTH_SOCK, variables for env secrets). Nothing of the caller's own
 * docker setup leaks in.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const REPO = path.resolve(__dirname, "../../..");
export const ENGINE_SCRIPT = path.join(REPO, "test", "tools", "engine.sh");
/** The locally made base image every e2e Dockerfile starts FROM (see global-setup.ts). */
export const BASE_IMAGE = "c2b-e2e/busybox:local";

export interface Engine {
  dockerHost: string;
  dockerConfig: string;
  /** The docker CLI that matches the engine (.tools/engine/bin/docker). */
  docker: string;
}

/** Parses what `test/tools/engine.sh start|env` prints: `export K='V'` lines and `export PATH='DIR':"$PATH"`. */
export function parseEngineEnv(text: string): Engine {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^export (\w+)='([^']*)'/.exec(line);
    if (m) values[m[1]!] = m[2]!;
  }
  const { DOCKER_HOST: dockerHost, DOCKER_CONFIG: dockerConfig, PATH: bin } = values;
  if (!dockerHost || !dockerConfig || !bin) throw new Error(`test/tools/engine.sh printed no environment:\n${text}`);
  return { dockerHost, dockerConfig, docker: path.join(bin, "docker") };
}

/**
 * The engine that global-setup.ts made ready, or undefined when this file runs outside jest.e2e.config.js
 * (jest.e2e.config.js sets C2B_E2E_SUITE; the default jest config would otherwise pick up test/e2e too).
 * Under jest.e2e.config.js a missing engine is an error, never a skip.
 */
export function e2eEngine(): Engine | undefined {
  if (process.env.C2B_E2E_SUITE !== "1") return undefined;
  const { C2B_E2E_DOCKER_HOST: dockerHost, C2B_E2E_DOCKER_CONFIG: dockerConfig, C2B_E2E_DOCKER: docker } = process.env;
  if (!dockerHost || !dockerConfig || !docker) {
    throw new Error("C2B_E2E_DOCKER_HOST/C2B_E2E_DOCKER_CONFIG/C2B_E2E_DOCKER unset: global-setup.ts did not run");
  }
  return { dockerHost, dockerConfig, docker };
}

export function exportEngine(engine: Engine): void {
  process.env.C2B_E2E_DOCKER_HOST = engine.dockerHost;
  process.env.C2B_E2E_DOCKER_CONFIG = engine.dockerConfig;
  process.env.C2B_E2E_DOCKER = engine.docker;
}

/** The environment of every command of the tests: fixed, plus `extra`. */
export function engineEnv(engine: Engine, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    DOCKER_HOST: engine.dockerHost,
    DOCKER_CONFIG: engine.dockerConfig,
    ...extra,
  };
}

export interface CommandResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
  command: string;
}

const MINUTES = 60_000;

/** Runs a command; never throws. `input` is written to its stdin. */
export function runCommand(
  bin: string,
  args: string[],
  options: { cwd?: string; env: Record<string, string>; input?: Buffer; timeoutMs?: number },
): CommandResult {
  const r = spawnSync(bin, args, {
    cwd: options.cwd ?? REPO,
    env: options.env,
    input: options.input,
    timeout: options.timeoutMs ?? 10 * MINUTES,
    maxBuffer: 1 << 30,
  });
  const command = [bin, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
  const stderr = (r.error ? `${r.error.message}\n` : "") + (r.stderr?.toString("utf8") ?? "");
  return { status: r.error ? null : r.status, stdout: r.stdout ?? Buffer.alloc(0), stderr, command };
}

/** Runs a command and throws, with its output, when it fails. */
export function mustRun(
  bin: string,
  args: string[],
  options: { cwd?: string; env: Record<string, string>; input?: Buffer; timeoutMs?: number },
): CommandResult {
  const r = runCommand(bin, args, options);
  if (r.status !== 0) {
    throw new Error(
      `${r.command} (in ${options.cwd ?? REPO}) failed with exit ${r.status}:\n${r.stderr}\n${r.stdout.toString("utf8")}`,
    );
  }
  return r;
}

/** `docker ARGS` against the test engine. */
export function docker(
  engine: Engine,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: Buffer } = {},
): CommandResult {
  return mustRun(engine.docker, args, { cwd: options.cwd, env: engineEnv(engine, options.env), input: options.input });
}

/** `test/tools/engine.sh SUBCOMMAND`; stderr (its log) is passed through. */
export function engineScript(subcommand: "start" | "stop" | "status" | "env"): {
  status: number | null;
  stdout: string;
} {
  const r = spawnSync("bash", [ENGINE_SCRIPT, subcommand], {
    cwd: REPO,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 10 * MINUTES,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout };
}

/**
 * .tools/engine/state/e2e-owner holds the DOCKER_HOST of the engine global-setup.ts started (each start has
 * its own socket folder), so that a later run can tell that engine from one started by hand.
 */
const OWNER_MARK = path.join(REPO, ".tools", "engine", "state", "e2e-owner");

export function readOwnerMark(): string | undefined {
  try {
    return fs.readFileSync(OWNER_MARK, "utf8").trim();
  } catch {
    return undefined;
  }
}

export function writeOwnerMark(dockerHost: string): void {
  fs.writeFileSync(OWNER_MARK, `${dockerHost}\n`);
}

export function clearOwnerMark(): void {
  fs.rmSync(OWNER_MARK, { force: true });
}
