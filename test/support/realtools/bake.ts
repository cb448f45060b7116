/** `docker buildx bake --print`: the bake file as bake resolves it. */
import { commandLine, runAsync, type RealTools, type RunResult, type ToolFailure } from "./tools";

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

/** `docker buildx bake --progress=quiet --print -f … [targets]`, without blocking the test process. */
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
