/**
 * `npm run sweep -- [--mode keep|resolve] [--parallel P] [--slow-ms T] [--list FILE] DIR...`: the differential
 * check of test/fuzz/check.ts over Compose projects already on disk (real-world projects, kept outside the
 * repository).
 *
 * Each DIR is a project folder, checked with compose2bake in keep mode (the default) and with `--resolve`, each
 * judged by check.ts exactly as the fuzzer judges a generated project. A `case.json` in DIR (the case-folder
 * format of test/README.md: `args`, `env`) gives the command line both tools run with (`-f`, `--profile`,
 * `--env-file` only) and the environment laid over the tools' fixed minimal one; nothing comes from the shell.
 * `--list FILE` adds projects, one a line: a folder (relative to FILE's) then the command line, `dir -f a.yml`
 * (so one folder can be checked with several), `#` starting a comment.
 *
 * Prints one line per project: its outcome in each mode (same, same-default-only, both-reject, nothing-to-build,
 * DIFFERENT, ours-rejects-only, compose-rejects-only, INTERNAL-ERROR), how long compose2bake took, the warnings it
 * printed (`    ` lines), both tools' messages when both refuse (`      : `), and under a failing line the reason
 * check.ts gives (`      | `). Then the counts. Exit 0: every project passes;
 * 1: some do not; 2: usage or no real tools.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pool } from "../support/pool";
import type { CaseSpec } from "../support/cases";
import { findRealTools, whyNoRealTools, withSshAgentSocket } from "../support/realtools";
import { checkFolder, type CheckContext, type Mode, type ProjectRun, type Verdict } from "./check";

function usage(message: string): never {
  process.stderr.write(
    `sweep: ${message}\nusage: npm run sweep -- [--mode keep|resolve] [--parallel P] [--slow-ms T] [--list FILE] DIR...\n`,
  );
  process.exit(2);
}

interface Project {
  dir: string;
  /** Command-line arguments from a `--list` line (then case.json's are not read). */
  args?: string[];
}

/** `--list FILE`'s projects. */
function readList(file: string): Project[] {
  const base = path.dirname(path.resolve(file));
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter((l) => l !== "")
    .map((l) => {
      const [dir, ...args] = l.split(/\s+/);
      return { dir: fs.realpathSync(path.resolve(base, dir!)), args };
    });
}

/** The project's `case.json` (args and env only), or none. */
function readRun(dir: string): ProjectRun {
  const file = path.join(dir, "case.json");
  if (!fs.existsSync(file)) return { args: [], env: {} };
  const spec = JSON.parse(fs.readFileSync(file, "utf8")) as CaseSpec;
  return { args: [...(spec.args ?? [])], env: { ...spec.env } };
}

/** A verdict as one word of the report. */
export function outcomeOf(v: Verdict): string {
  if (v.ok) return v.outcome;
  switch (v.kind) {
    case "ours-rejects-only":
    case "compose-rejects-only":
      return v.kind;
    case "internal-error":
      return "INTERNAL-ERROR";
    default:
      return "DIFFERENT";
  }
}

interface Row {
  dir: string;
  outcomes: Record<Mode, string>;
  reasons: string[];
  /** Both tools' messages when both refuse (check.ts's detail). */
  refusals: string[];
  warnings: string[];
  ms: number;
}

async function sweepOne(ctx: CheckContext, project: Project, modes: readonly Mode[]): Promise<Row> {
  const { dir } = project;
  const fromCase = readRun(dir);
  const run = project.args?.length ? { args: project.args, env: fromCase.env } : fromCase;
  const name = [dir, ...run.args].join(" ");
  const row: Row = { dir: name, outcomes: {} as Record<Mode, string>, reasons: [], refusals: [], warnings: [], ms: 0 };
  for (const mode of modes) {
    // compose2bake's diagnostics and time, from the run the check itself makes (same environment, same folder).
    const v = await checkFolder(ctx, dir, run, [mode], (_, ours) => {
      row.ms = Math.max(row.ms, ours.ms);
      for (const line of ours.stderr.trim().split("\n"))
        if (line !== "" && !row.warnings.includes(line)) row.warnings.push(line);
    });
    row.outcomes[mode] = outcomeOf(v);
    if (!v.ok) row.reasons.push(v.reason);
    else if (v.outcome === "both-reject" && v.detail && !row.refusals.includes(v.detail)) row.refusals.push(v.detail);
  }
  return row;
}

function report(row: Row, slowMs: number): string {
  const modes = Object.entries(row.outcomes)
    .map(([m, o]) => `${m}: ${o}`)
    .join("  ");
  const time = `${Math.round(row.ms)} ms${row.ms >= slowMs ? " SLOW" : ""}`;
  const lines = [`${row.dir}  ${modes}  (${time})`];
  for (const w of row.warnings) lines.push(`    ${w}`);
  for (const r of row.refusals) lines.push(...r.split("\n").map((l) => `      : ${l}`));
  for (const r of row.reasons) lines.push(...r.split("\n").map((l) => `      | ${l}`));
  return lines.join("\n") + "\n";
}

async function run(argv: string[]): Promise<number> {
  let modes: Mode[] = ["keep", "resolve"];
  let parallel = 2;
  let slowMs = 1000;
  const dirs: Project[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => argv[++i] ?? usage(`${a} needs a value`);
    const int = (v: string) => (/^\d+$/.test(v) ? Number(v) : usage(`${a}: not a number: ${v}`));
    if (a === "--parallel") parallel = Math.max(1, int(value()));
    else if (a === "--slow-ms") slowMs = int(value());
    else if (a === "--list") dirs.push(...readList(value()));
    else if (a === "--mode") {
      const m = value();
      if (m !== "keep" && m !== "resolve") usage(`--mode must be keep or resolve, not ${m}`);
      modes = [m];
    } else if (a.startsWith("-")) usage(`unknown argument ${a}`);
    else dirs.push({ dir: fs.realpathSync(a) });
  }
  if (dirs.length === 0) usage("no project folder given");
  const tools = findRealTools();
  if (!tools) usage(`the real docker buildx and docker compose are needed: ${whyNoRealTools()}`);
  const agent = await withSshAgentSocket();
  const ctx: CheckContext = { tools: tools!, root: path.dirname(dirs[0]!.dir), agentSocket: agent.path };
  const counts: Record<string, number> = {};
  let failed = 0;
  try {
    const limit = pool(parallel);
    // The checks of one folder run one after the other: each writes and removes the bake files it reads there.
    const byDir = new Map<string, Project[]>();
    for (const p of dirs) byDir.set(p.dir, [...(byDir.get(p.dir) ?? []), p]);
    await Promise.all(
      [...byDir.values()].map((projects) =>
        limit(async () => {
          for (const project of projects) {
            const row = await sweepOne(ctx, project, modes);
            process.stdout.write(report(row, slowMs));
            const key = modes.map((m) => row.outcomes[m]).join(" / ");
            counts[key] = (counts[key] ?? 0) + 1;
            if (row.reasons.length > 0) failed++;
          }
        }),
      ),
    );
  } finally {
    await agent.close();
  }
  process.stdout.write(`sweep: ${dirs.length} projects (${modes.join(" / ")}):\n`);
  for (const [k, n] of Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))
    process.stdout.write(`  ${String(n).padStart(4)}  ${k}\n`);
  return failed > 0 ? 1 : 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`sweep: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(3);
  },
);
