/**
 * The fuzzing loop, shared by test/fuzz/fuzz.test.ts (fixed seed, few runs) and `npm run fuzz` (test/fuzz/main.ts).
 *
 * fast-check runs properties one at a time, and each check here waits ~1 s for five Go processes. So the runs are
 * first drawn with `fc.sample` (the same values, in the same order, as `fc.check` draws with that seed) and checked
 * in parallel through a pool; the first failing run is then replayed by `fc.check` with `path: "<index>"`, which
 * shrinks it one candidate at a time to a minimal counterexample.
 */
import * as fc from "fast-check";
import { pool } from "../support/pool";
import { withSshAgentSocket, type RealTools } from "../support/realtools";
import { checkProject, makeRoot, type Mode, type Verdict } from "./check";
import {
  EXERCISE_KEPT_AS_UNSET_PLACES,
  projectArb,
  renderProject,
  type FuzzProject,
  type RenderedProject,
} from "./generate";
import * as fs from "node:fs";

export interface FuzzOptions {
  runs: number;
  seed: number;
  modes: readonly Mode[];
  /** Checks at once (each starts up to five short-lived processes). */
  parallel: number;
  onProgress?: (done: number, stats: Record<string, number>) => void;
  /** Stop shrinking after this long and report the smallest counterexample so far (default: 10 minutes). */
  shrinkTimeLimitMs?: number;
}

export interface Counterexample {
  seed: number;
  /** fast-check's path of the shrunk counterexample (`--seed S --path P` replays it). */
  path: string;
  /** The run that failed first, before shrinking. */
  index: number;
  project: FuzzProject;
  rendered: RenderedProject;
  reason: string;
  shrinkSteps: number;
}

export interface FuzzResult {
  runs: number;
  /** Outcomes: same, same-default-only (README: per-profile targets), both-reject, nothing-to-build, failed. */
  stats: Record<string, number>;
  counterexample?: Counterexample;
}

export function arbitraryFor(modes: readonly Mode[]): fc.Arbitrary<FuzzProject> {
  const onlyResolve = modes.length === 1 && modes[0] === "resolve";
  return projectArb({ variablesInResolvedPlaces: onlyResolve || EXERCISE_KEPT_AS_UNSET_PLACES });
}

export async function fuzz(tools: RealTools, o: FuzzOptions): Promise<FuzzResult> {
  const arb = arbitraryFor(o.modes);
  const projects = fc.sample(arb, { seed: o.seed, numRuns: o.runs });
  const agent = await withSshAgentSocket();
  const root = makeRoot();
  const ctx = { tools, root, agentSocket: agent.path };
  const stats: Record<string, number> = {
    same: 0,
    "same-default-only": 0,
    "both-reject": 0,
    "nothing-to-build": 0,
    failed: 0,
  };
  try {
    const limit = pool(o.parallel);
    let firstFailure: number | undefined;
    let failedMode: Mode | undefined;
    let done = 0;
    await Promise.all(
      projects.map((p, index) =>
        limit(async () => {
          if (firstFailure !== undefined && index > firstFailure) return;
          const v = await checkProject(ctx, renderProject(p), o.modes);
          stats[v.ok ? v.outcome : "failed"]!++;
          if (process.env.C2B_FUZZ_DEBUG && v.ok && v.detail)
            process.stderr.write(`run ${index}: ${v.outcome}\n${v.detail}\n\n`);
          if (!v.ok && (firstFailure === undefined || index < firstFailure)) {
            firstFailure = index;
            failedMode = v.mode;
          }
          o.onProgress?.(++done, stats);
        }),
      ),
    );
    if (firstFailure === undefined) return { runs: o.runs, stats };
    return {
      runs: o.runs,
      stats,
      counterexample: await shrink(ctx, arb, { ...o, modes: failedMode ? [failedMode] : o.modes }, firstFailure),
    };
  } finally {
    await agent.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function shrink(
  ctx: Parameters<typeof checkProject>[0],
  arb: fc.Arbitrary<FuzzProject>,
  o: FuzzOptions,
  index: number,
): Promise<Counterexample> {
  let last: { project: FuzzProject; verdict: Verdict & { ok: false } } | undefined;
  let steps = 0;
  // Only the mode that failed is checked while shrinking (the same draws: the arbitrary is the run's).
  const property = fc.asyncProperty(arb, async (p) => {
    const v = await checkProject(ctx, renderProject(p), o.modes);
    if (!v.ok) {
      last = { project: p, verdict: v };
      steps++;
    }
    return v.ok;
  });
  const r = await fc.check(property, {
    seed: o.seed,
    path: String(index),
    numRuns: 1,
    interruptAfterTimeLimit: o.shrinkTimeLimitMs ?? 600_000,
    markInterruptAsFailure: true,
  });
  if (!r.failed || !last || !r.counterexample) {
    throw new Error(`run ${index} of seed ${o.seed} failed once but not when replayed (a flaky tool run?)`);
  }
  const project = r.counterexample[0];
  return {
    seed: o.seed,
    path: r.counterexamplePath ?? String(index),
    index,
    project,
    rendered: renderProject(project),
    reason: last.verdict.reason,
    shrinkSteps: steps,
  };
}
