/**
 * THE contract of "keep" mode (issue #5), checked with the real `docker buildx bake --print`: for every generated
 * project (test/support/keep-projects.ts) and every one of its environments E,
 *
 *   bake --print of the kept file (generated ONCE, with an empty environment; JSON and HCL), run with E
 *   ==  bake --print of `compose2bake --resolve` generated with E (a file without variables),
 *
 * target by target, through normaliseBakePrint/compareBakes with no ignore rule (both files are written with
 * absolute paths: bake runs in the shared folder above the projects, and a kept path such as `${P07_PATH}` set to
 * `/abs/ctx` is absolute in one file and would be relative to the project in the other); or both fail on a required
 * variable: --resolve throws `required variable X is missing a value…` and bake fails with `Validation failed;
 * required variable Y is missing a value…`. Compose and bake each report one failing requirement in an order of
 * their own (bake's differs from run to run), so both messages must be among those an independent evaluator
 * finds for E (`requiredFailures`), and they are the same message whenever only one requirement fails.
 *
 * To keep the number of bake processes down, the projects that build under an environment share one invocation
 * per file kind (their variables and target names carry the project's prefix, so the union of their environments
 * is one environment); a project that fails runs alone, and a shared run that fails unexpectedly is re-run
 * project by project so the failure is reported where it belongs. Without the tools every test is skipped, with a
 * message.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { compose2bake } from "../../src/index";
import { keepProjects, requiredFailures, type KeepEnvironment, type KeepProject } from "../support/keep-projects";
import {
  bakePrintAsync,
  compareBakes,
  findRealTools,
  formatDifferences,
  normaliseBakePrint,
  whyNoRealTools,
  type BakePrintResult,
  type NormalisedBake,
  type RealTools,
} from "../support/realtools";
import { pool } from "../support/pool";

const projects = keepProjects();
const ENVIRONMENTS = projects[0]!.environments.map((e) => e.name);
const FORMATS = ["json", "hcl"] as const;
type Format = (typeof FORMATS)[number];

test("the generated projects cover every operator, place and tricky text", () => {
  expect(projects.length).toBeGreaterThanOrEqual(30);
  for (const p of projects) expect(p.environments.map((e) => e.name)).toEqual(ENVIRONMENTS);
  expect(ENVIRONMENTS.length).toBeGreaterThanOrEqual(4);
  const seen = new Set(projects.flatMap((p) => [...p.features]));
  const wanted = [
    ...["plain", "bare", ":-", "-", ":?", "?", ":+", "+"].map((op) => `op ${op}`),
    "nested",
    "nested requirement",
    "literal $$",
    "literal $ before reference",
    "literal $$ in a default",
    "literal ${ in a default",
    "literal $ before a reference in a default",
    "empty default",
    "braces in a default",
    "literal %{",
    "unicode",
    "quotes/backslashes",
    "value-less arg",
    "args map",
    "args list",
    "labels map",
    "labels list",
    "tags",
    "image",
    "target",
    "network",
    "cache_from",
    "platforms",
    "dockerfile_inline",
    "x-bake tags",
    "requirement outside build",
    "overridden requirement",
    "service platform",
    "booleans",
    "shm_size",
    "attest",
    "entitlements",
    "extra_hosts",
    "secret env",
    "context",
    "additional_contexts",
    "ssh",
    "secret file",
  ];
  expect(wanted.filter((f) => !seen.has(f))).toEqual([]);
  // Both outcomes occur often enough to mean something.
  const outcomes = projects.flatMap((p) => p.environments.map((e) => requiredFailures(p.files, e.env).size === 0));
  expect(outcomes.filter((ok) => ok).length).toBeGreaterThanOrEqual(60);
  expect(outcomes.filter((ok) => !ok).length).toBeGreaterThanOrEqual(30);
});

// ---------------------------------------------------------------------------------------------------------------
// Running everything once, in parallel
// ---------------------------------------------------------------------------------------------------------------

type Side = { ok: true; bake: NormalisedBake } | { ok: false; error: string; command?: string };

interface Outcome {
  /** `required variable …` messages the evaluator expects to fail (empty: Compose builds). */
  expectedFailures: Set<string>;
  resolve: Side;
  kept: Record<Format, Side>;
}

const tools = findRealTools();
if (!tools) {
  console.warn(
    `real docker-buildx not found, SKIPPING the keep-mode property test (${projects.length} projects): ${whyNoRealTools()}`,
  );
}
const withTools = tools ? test : test.skip;

const outcomes = new Map<string, Outcome>();
const key = (p: KeepProject, e: KeepEnvironment | string) => `${p.name}/${typeof e === "string" ? e : e.name}`;
let root = "";
let stats = { invocations: 0, ms: 0 };

beforeAll(async () => {
  if (!tools) return;
  const started = Date.now();
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-keep-")));
  for (const p of projects) {
    const dir = path.join(root, p.name);
    for (const [rel, text] of Object.entries(p.files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    for (const format of FORMATS) {
      fs.writeFileSync(
        path.join(dir, `kept.${format}`),
        compose2bake({ cwd: dir, env: {}, format, absolutePaths: true }).text,
      );
    }
  }
  stats = await runAll(tools);
  stats.ms = Date.now() - started;
}, 300_000);

afterAll(() => {
  if (!tools) return;
  const failing = [...outcomes.values()].filter((o) => o.expectedFailures.size > 0).length;
  console.log(
    `keep property: ${projects.length} projects × ${ENVIRONMENTS.length} environments = ${outcomes.size} cases ` +
      `(${outcomes.size - failing} build, ${failing} fail on a required variable), each checked with the JSON and the HCL file; ` +
      `${stats.invocations} bake invocations, ${(stats.ms / 1000).toFixed(1)} s`,
  );
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function runAll(t: RealTools): Promise<{ invocations: number; ms: number }> {
  const limit = pool(4);
  let invocations = 0;
  const bake = (files: string[], env: Record<string, string>, targets: string[]): Promise<BakePrintResult> =>
    limit(() => {
      invocations++;
      return bakePrintAsync(t, { files, cwd: root, env, targets });
    });
  const side = (r: BakePrintResult, p: KeepProject): Side =>
    r.ok
      ? { ok: true, bake: pick(normaliseBakePrint(r.json, root), p.targets) }
      : { ok: false, error: r.stderr.trim(), command: r.command };

  const jobs: Array<Promise<void>> = [];
  for (const envName of ENVIRONMENTS) {
    const building: Array<{ p: KeepProject; e: KeepEnvironment; resolved: string }> = [];
    for (const p of projects) {
      const e = p.environments.find((x) => x.name === envName)!;
      const outcome: Outcome = {
        expectedFailures: requiredFailures(p.files, e.env),
        resolve: { ok: false, error: "not run" },
        kept: { json: { ok: false, error: "not run" }, hcl: { ok: false, error: "not run" } },
      };
      outcomes.set(key(p, e), outcome);
      const dir = path.join(root, p.name);
      let text: string;
      try {
        text = compose2bake({ cwd: dir, env: e.env, format: "json", variables: "resolve", absolutePaths: true }).text;
      } catch (err) {
        outcome.resolve = { ok: false, error: (err as Error).message };
        for (const format of FORMATS) {
          jobs.push(
            bake([`${p.name}/kept.${format}`], e.env, p.targets).then((r) => void (outcome.kept[format] = side(r, p))),
          );
        }
        continue;
      }
      const resolved = `${p.name}/resolved-${envName}.json`;
      fs.writeFileSync(path.join(root, resolved), text);
      building.push({ p, e, resolved });
    }
    if (building.length === 0) continue;

    // One shared run per file kind for the projects that build; project by project if it fails.
    type Building = (typeof building)[number];
    const union = Object.assign({}, ...building.map((b) => b.e.env)) as Record<string, string>;
    const targets = building.flatMap((b) => b.p.targets);
    const shared = async (
      file: (b: Building) => string,
      env: (b: Building) => Record<string, string>,
      sharedEnv: Record<string, string>,
      store: (b: Building, s: Side) => void,
    ) => {
      const all = await bake(building.map(file), sharedEnv, targets);
      if (all.ok) {
        for (const b of building) store(b, side(all, b.p));
        return;
      }
      await Promise.all(building.map(async (b) => store(b, side(await bake([file(b)], env(b), b.p.targets), b.p))));
    };
    for (const format of FORMATS) {
      const store = (b: Building, s: Side) => void (outcomes.get(key(b.p, b.e))!.kept[format] = s);
      jobs.push(
        shared(
          (b) => `${b.p.name}/kept.${format}`,
          (b) => b.e.env,
          union,
          store,
        ),
      );
    }
    // The resolved files have no variables: bake runs them with no extra environment.
    const store = (b: Building, s: Side) => void (outcomes.get(key(b.p, b.e))!.resolve = s);
    jobs.push(
      shared(
        (b) => b.resolved,
        () => ({}),
        {},
        store,
      ),
    );
  }
  await Promise.all(jobs);
  return { invocations, ms: 0 };
}

function pick(b: NormalisedBake, targets: readonly string[]): NormalisedBake {
  return {
    groups: {},
    targets: Object.fromEntries(targets.filter((t) => b.targets[t]).map((t) => [t, b.targets[t]!])),
  };
}

const RESOLVE_REQUIRED = /(required variable \S+ is missing a value.*)$/s;
const BAKE_REQUIRED =
  /Validation failed; (required variable \S+ is missing a value.*?)(?:, and \d+ other diagnostic\(s\))?$/m;

// ---------------------------------------------------------------------------------------------------------------
// One test per project, every environment and both file kinds inside
// ---------------------------------------------------------------------------------------------------------------

describe.each(projects.map((p) => [p.name, p] as const))("%s", (_name, p) => {
  withTools(`kept file under ${ENVIRONMENTS.join(", ")} = --resolve under each`, () => {
    const problems: string[] = [];
    for (const e of p.environments) {
      const o = outcomes.get(key(p, e))!;
      const where = `${p.name} under ${e.name} ${JSON.stringify(e.env)}`;
      if (o.expectedFailures.size === 0) {
        if (!o.resolve.ok) {
          problems.push(`${where}: --resolve (through bake) failed: ${o.resolve.error}`);
          continue;
        }
        for (const format of FORMATS) {
          const k = o.kept[format];
          if (!k.ok) {
            problems.push(`${where}: bake rejected the kept ${format} file: ${k.error}`);
            continue;
          }
          const diffs = compareBakes(k.bake, o.resolve.bake);
          if (diffs.length > 0)
            problems.push(`${where}, ${format} (ours = kept, theirs = --resolve):\n${formatDifferences(diffs)}`);
          if (Object.keys(k.bake.targets).length !== p.targets.length)
            problems.push(`${where}: kept ${format} printed ${Object.keys(k.bake.targets).join(", ")}`);
        }
        continue;
      }
      // Compose fails: --resolve and bake (both file kinds) fail on one of the expected requirements.
      const expected = [...o.expectedFailures];
      const r = o.resolve.ok ? undefined : RESOLVE_REQUIRED.exec(o.resolve.error)?.[1];
      if (r === undefined || !o.expectedFailures.has(r)) {
        problems.push(
          `${where}: --resolve should fail with one of ${JSON.stringify(expected)}, got ${o.resolve.ok ? "success" : JSON.stringify(o.resolve.error)}`,
        );
      }
      for (const format of FORMATS) {
        const k = o.kept[format];
        const b = k.ok ? undefined : BAKE_REQUIRED.exec(k.error)?.[1];
        if (b === undefined || !o.expectedFailures.has(b)) {
          problems.push(
            `${where}: bake on the kept ${format} file should fail with one of ${JSON.stringify(expected)}, got ${k.ok ? "success" : JSON.stringify(k.error)}`,
          );
        }
        if (expected.length === 1 && b !== r)
          problems.push(`${where}: messages differ: bake ${JSON.stringify(b)}, --resolve ${JSON.stringify(r)}`);
      }
    }
    if (problems.length > 0) {
      throw new Error(
        `${problems.join("\n\n")}\n\n--- ${p.name} files ---\n${Object.entries(p.files)
          .map(([f, t]) => `# ${f}\n${t}`)
          .join("\n")}\n--- kept HCL ---\n${fs.readFileSync(path.join(root, p.name, "kept.hcl"), "utf8")}`,
      );
    }
  });
});
