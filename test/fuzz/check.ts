/**
 * One differential check of a generated project (test/fuzz/generate.ts): written into a fresh folder, built by
 * `docker compose build --print` (Compose's own bake file) and by compose2bake (kept variables, the default, or
 * `--resolve`), both files resolved by `docker buildx bake --print` and compared target by target
 * (test/support/realtools.ts normaliseBakePrint/compareBakes), leaving out only the differences the README
 * documents as deliberate ({@link DOCUMENTED}).
 *
 * Kept-mode files are resolved by bake with the environment Compose interpolates with (`docker compose config
 * --environment`: the process environment plus `.env` or the `--env-file` files), as a user who exports those
 * values would run bake. `--resolve` files hold no variable: bake runs them with no project variable at all.
 *
 * Outcomes: both accept and agree; both reject (a requirement `${V:?…}` not met, a platform Compose refuses, …:
 * the generator does not predict those, so agreement to refuse is a pass); anything else is a counterexample.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../src/cli/main";
import {
  bakePrintAsync,
  compareBakes,
  COMPOSE_DOCUMENTED_DIFFERENCES,
  composeRunAsync,
  composeViaBakeAsync,
  formatDifferences,
  normaliseBakePrint,
  writeSshPrivateKey,
  type BakePrint,
  type IgnoreRules,
  type RealTools,
} from "../support/realtools";
import type { RenderedProject } from "./generate";

export type Mode = "keep" | "resolve";

/**
 * The README's "Deliberate differences from `docker compose build --print`" that show in a comparison, and
 * nothing else (COMPOSE_DOCUMENTED_DIFFERENCES says which row each rule stands for: the com.docker.compose.*
 * labels, compose's `type=docker` / `type=image,push=false` outputs, our per-profile groups, disabled
 * attestations). The other rows need no rule here: paths are compared absolute and cleaned (normaliseBakePrint
 * resolves both sides with path.resolve, so a kept path bake prints as written, `./ctx/../up`, equals Compose's
 * cleaned `/…/up`), tags and unordered lists as sets,
 * the skipped secrets are absent on both sides, and "nothing to build" is checked in {@link checkProject}.
 */
export const DOCUMENTED: IgnoreRules = COMPOSE_DOCUMENTED_DIFFERENCES;

export type Verdict =
  | { ok: true; outcome: "same" | "same-default-only" | "both-reject" | "nothing-to-build"; detail?: string }
  | { ok: false; reason: string; mode?: Mode; kind?: FailureKind };

/** What a failed check found (test/fuzz/sweep.ts prints it): one tool refuses what the other accepts, or both differ. */
export type FailureKind = "ours-rejects-only" | "compose-rejects-only" | "different" | "internal-error";

/** What a check needs of a project besides its files: compose2bake's (and compose's) flags and the environment. */
export type ProjectRun = Pick<RenderedProject, "args" | "env">;

/** Told of each compose2bake run a check makes: its mode, what it printed on stderr and how long it took. */
export type OurRunListener = (mode: Mode, run: { readonly stderr: string; readonly ms: number }) => void;

export interface CheckContext {
  tools: RealTools;
  /** A folder for the projects; each check makes and removes its own sub-folder. */
  root: string;
  /** SSH_AUTH_SOCK for both tools (bake --print checks that `default` has an agent socket). */
  agentSocket: string;
  /** Keep the project folder (for a counterexample). */
  keep?: boolean;
}

let counter = 0;

/** Writes the project into `dir` (ssh keys included). */
export function writeProject(dir: string, r: RenderedProject): void {
  for (const [rel, text] of Object.entries(r.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  if (r.sshKeys) {
    for (const folder of [".", "sub", "common"])
      for (const k of ["keys/id1", "keys/id2"]) writeSshPrivateKey(path.join(dir, folder, k));
  }
}

/**
 * The environment Compose would interpolate with, for a project it refuses: `docker compose config --environment`
 * refuses such a project too, so Compose is asked again with the same flags and env files but a one-line Compose
 * file in the first file's folder (where Compose looks for `.env`). Only a judge for "bake must refuse our file as
 * Compose refused the project": without it, a variable set only in an env file made bake accept, a false alarm.
 * When even that fails (the env file itself is what Compose refuses), the process environment alone.
 */
async function refusedProjectEnvironment(
  ctx: CheckContext,
  dir: string,
  r: ProjectRun,
  composeArgs: Parameters<typeof composeRunAsync>[1],
): Promise<Record<string, string>> {
  const flags = parseFlags(r.args);
  const probe = path.join(path.dirname(path.resolve(dir, flags.files[0] ?? "compose.yaml")), ".c2b-environment.yaml");
  fs.writeFileSync(probe, "services:\n  probe:\n    image: probe\n");
  try {
    const e = await composeRunAsync(ctx.tools, { ...composeArgs, files: [probe], profiles: [] }, [
      "config",
      "--environment",
    ]);
    return e.ok ? parseEnvironment(e.stdout) : { ...r.env };
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

/** `KEY=VALUE` lines of `docker compose config --environment`. */
export function parseEnvironment(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

async function runOurs(
  dir: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number; stdout: string; stderr: string; ms: number }> {
  let stdout = "";
  let stderr = "";
  const started = process.hrtime.bigint();
  const status = await main([...args, "--format", "json"], {
    cwd: dir,
    env,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { status, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** The differential check of one project in one or both modes. */
export async function checkProject(ctx: CheckContext, r: RenderedProject, modes: readonly Mode[]): Promise<Verdict> {
  const dir = path.join(ctx.root, `p${process.pid}-${counter++}`, "fz");
  writeProject(dir, r);
  try {
    return await check(ctx, dir, r, modes);
  } finally {
    if (!ctx.keep) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}

/**
 * The check of a project already on disk in `dir` (test/fuzz/sweep.ts: real-world projects). The folder is left as
 * found but for the files bake reads (`ours-kept.json`, `ours-resolved.json`), written there and removed after.
 */
export async function checkFolder(
  ctx: CheckContext,
  dir: string,
  r: ProjectRun,
  modes: readonly Mode[],
  onOurRun?: OurRunListener,
) {
  try {
    return await check(ctx, dir, r, modes, onOurRun);
  } finally {
    for (const f of ["ours-kept.json", "ours-resolved.json"]) fs.rmSync(path.join(dir, f), { force: true });
  }
}

async function check(
  ctx: CheckContext,
  dir: string,
  r: ProjectRun,
  modes: readonly Mode[],
  onOurRun?: OurRunListener,
): Promise<Verdict> {
  const { tools } = ctx;
  const processEnv: Record<string, string> = {
    ...(tools.env as Record<string, string>),
    ...r.env,
    SSH_AUTH_SOCK: ctx.agentSocket,
  };
  const flags = parseFlags(r.args);
  const composeArgs = { cwd: dir, env: { ...r.env, SSH_AUTH_SOCK: ctx.agentSocket }, ...flags };
  const needEnvironment = modes.includes("keep");
  const [compose, environment] = await Promise.all([
    composeViaBakeAsync(tools, composeArgs),
    needEnvironment
      ? composeRunAsync(tools, { ...composeArgs, files: flags.files, profiles: flags.profiles }, [
          "config",
          "--environment",
        ])
      : undefined,
  ]);
  const outcomes: Verdict[] = [];
  for (const mode of modes) {
    const ours = await runOurs(dir, mode === "resolve" ? ["--resolve", ...r.args] : r.args, processEnv);
    onOurRun?.(mode, ours);
    const label = mode === "keep" ? "kept variables (default)" : "--resolve";
    if (ours.status === 3)
      return {
        ok: false,
        mode,
        kind: "internal-error",
        reason: `${label}: compose2bake internal error:\n${ours.stderr}`,
      };
    if (!compose.ok) {
      if (ours.status !== 0) {
        outcomes.push({
          ok: true,
          outcome: "both-reject",
          detail: `compose: ${lastLine(compose.stderr)}\nours: ${lastLine(ours.stderr)}`,
        });
        continue;
      }
      // We write a file: bake must refuse it (a kept `${V:?…}` is a bake validation), as Compose refused.
      const bakeEnv =
        mode !== "keep"
          ? {}
          : environment?.ok
            ? parseEnvironment(environment.stdout)
            : await refusedProjectEnvironment(ctx, dir, r, composeArgs);
      const b = await bakeOurs(ctx, dir, ours.stdout, bakeEnv, mode);
      if (!b.ok) {
        outcomes.push({
          ok: true,
          outcome: "both-reject",
          detail: `compose: ${lastLine(compose.stderr)}\nbake on ours: ${lastLine(b.stderr)}`,
        });
        continue;
      }
      return {
        ok: false,
        mode,
        kind: "compose-rejects-only",
        reason: `${label}: docker compose refuses the project (${compose.stage} stage: ${compose.command}):\n${compose.stderr.trim()}\nbut compose2bake writes a file that bake accepts:\n${ours.stderr}${ours.stdout}`,
      };
    }
    if (ours.status !== 0) {
      return {
        ok: false,
        mode,
        kind: "ours-rejects-only",
        reason: `${label}: compose2bake refuses a project docker compose builds:\n${ours.stderr}`,
      };
    }
    if (compose.compose === null) {
      const targets = (JSON.parse(ours.stdout) as BakePrint).group?.default?.targets ?? [];
      if (targets.length > 0)
        return {
          ok: false,
          mode,
          kind: "different",
          reason: `${label}: docker compose has nothing to build, we build ${targets.join(", ")}`,
        };
      outcomes.push({ ok: true, outcome: "nothing-to-build" });
      continue;
    }
    let bakeEnv: Record<string, string> = { SSH_AUTH_SOCK: ctx.agentSocket };
    if (mode === "keep") {
      if (!environment?.ok)
        return { ok: false, reason: `docker compose config --environment failed: ${environment?.stderr}` };
      bakeEnv = parseEnvironment(environment.stdout);
    }
    let b = await bakeOurs(ctx, dir, ours.stdout, bakeEnv, mode);
    let outcome: "same" | "same-default-only" = "same";
    if (!b.ok) {
      // README (deliberate differences, per-profile targets): bake reads every target of the file, so a value it
      // cannot read in a service no active profile enables fails the whole file, where Compose never sends that
      // service to bake. Excused only when the file with the default group's targets alone passes and compares,
      // and Compose with every profile enabled fails too (so the unreadable value is Compose's as well).
      const onlyDefault = defaultGroupOnly(ours.stdout);
      const again = onlyDefault === undefined ? undefined : await bakeOurs(ctx, dir, onlyDefault, bakeEnv, mode);
      const allProfiles = again?.ok ? await composeViaBakeAsync(tools, { ...composeArgs, profiles: ["*"] }) : undefined;
      if (!again?.ok || allProfiles?.ok !== false)
        return {
          ok: false,
          mode,
          kind: "different",
          reason: `${label}: bake refuses our file:\n${b.stderr}\n${ours.stdout}`,
        };
      b = again;
      outcome = "same-default-only";
    }
    const mine = normaliseBakePrint(b.json, dir);
    const theirs = normaliseBakePrint(compose.json, dir);
    const diffs = compareBakes(mine, theirs, DOCUMENTED);
    if (diffs.length > 0)
      return {
        ok: false,
        mode,
        kind: "different",
        reason: `${label}: differences (ours vs compose's):\n${formatDifferences(diffs)}`,
      };
    outcomes.push({ ok: true, outcome });
  }
  return outcomes.find((o) => o.ok && o.outcome === "same") ?? outcomes[0]!;
}

/** Our JSON file with only the default group and its targets, or undefined when nothing else is in it. */
function defaultGroupOnly(json: string): string | undefined {
  const file = JSON.parse(json) as { group?: Record<string, { targets?: string[] }>; target?: Record<string, unknown> };
  const keep = new Set(file.group?.default?.targets ?? []);
  const targets = Object.keys(file.target ?? {});
  if (targets.every((t) => keep.has(t))) return undefined;
  const target = Object.fromEntries(targets.filter((t) => keep.has(t)).map((t) => [t, file.target![t]]));
  return JSON.stringify({ ...file, group: { default: { targets: [...keep] } }, target });
}

const lastLine = (text: string) => text.trim().split("\n").slice(-1)[0] ?? "";

async function bakeOurs(ctx: CheckContext, dir: string, json: string, env: Record<string, string>, mode: Mode) {
  const file = mode === "keep" ? "ours-kept.json" : "ours-resolved.json";
  fs.writeFileSync(path.join(dir, file), json);
  return bakePrintAsync(ctx.tools, { files: [file], cwd: dir, env: { ...env, SSH_AUTH_SOCK: ctx.agentSocket } });
}

/** `-f`, `--profile`, `--env-file` (the only flags the generator writes), for docker compose. */
function parseFlags(args: readonly string[]): { files: string[]; profiles: string[]; globalArgs: string[] } {
  const out = { files: [] as string[], profiles: [] as string[], globalArgs: [] as string[] };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i]!, args[i + 1]!];
    if (flag === "-f") out.files.push(value);
    else if (flag === "--profile") out.profiles.push(value);
    else if (flag === "--env-file") out.globalArgs.push("--env-file", value);
    else throw new Error(`unexpected flag ${flag}`);
  }
  return out;
}

/** A fresh root folder for the checks (real path, so compared paths match). */
export function makeRoot(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-fuzz-")));
}

/**
 * A counterexample as a shell script that recreates the project folder in the layout of test/fixtures/ (`args`,
 * `env.json` beside the project files), ready to save as a fixture.
 */
export function asFixtureScript(r: RenderedProject, folder: string): string {
  const files: Record<string, string> = { ...r.files };
  if (r.args.length > 0) files.args = r.args.join("\n") + "\n";
  if (Object.keys(r.env).length > 0) files["env.json"] = JSON.stringify(r.env, null, 2) + "\n";
  const lines = [`mkdir -p ${folder}`];
  for (const [rel, text] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    if (rel.includes("/")) lines.push(`mkdir -p '${folder}/${path.dirname(rel)}'`);
    lines.push(`cat > '${folder}/${rel}' <<'C2B_EOF'`, text.replace(/\n$/, ""), "C2B_EOF");
  }
  if (r.sshKeys)
    lines.push(
      `# ssh keys/id1, keys/id2 (also in sub/ and common/): throwaway keys, generated by the differential test (not committed)`,
    );
  return lines.join("\n") + "\n";
}

export { formatDifferences };
