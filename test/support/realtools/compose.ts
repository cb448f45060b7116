/** `docker-compose build --print` and other compose runs, and compose's bake file resolved by bake. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bakePrintAsync, type BakePrint, type BakePrintResult } from "./bake";
import { commandLine, runAsync, type RealTools, type RunResult, type ToolFailure } from "./tools";

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
export async function composeBuildPrintAsync(
  tools: RealTools,
  args: ComposeBuildPrintArgs,
): Promise<ComposeBuildPrintResult> {
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
): Promise<{
  ok: boolean;
  status: number | null;
  stdout: string;
  stderr: string;
  command: string;
  durationMs: number;
}> {
  const argv = composeArgv(args, subcommand);
  const r = await runAsync(tools.compose, argv, args.cwd, { ...tools.env, ...args.env });
  return {
    ok: r.status === 0,
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    command: commandLine(tools.compose, argv),
    durationMs: r.durationMs,
  };
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

/** The step above, without blocking the test process while the tools run. */
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

function composeBakeResult(c: { json: unknown; durationMs: number }, b: BakePrintResult): ComposeViaBakeResult {
  if (!b.ok) return { ...b, stage: "bake", compose: c.json };
  return { ok: true, compose: c.json, json: b.json, durationMs: { compose: c.durationMs, bake: b.durationMs } };
}
