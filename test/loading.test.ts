/**
 * Loading scenarios (GitHub issue #4): every folder under test/loading/ is a small Compose project that must
 * load exactly as Docker Compose loads it. For each one, our `loadProject` runs with the scenario's options and
 * its result is compared with the expected files; when the real `docker-compose` is present (see
 * test/support/realtools.ts), the same project is also loaded by `docker-compose … config` and both results
 * must agree, so no expectation is merely recorded.
 *
 * A scenario is a case folder (test/support/cases.ts, test/README.md) with a `README` saying what it checks (and
 * where compose 2.40.3 differs from the reference doc), whose `case.json` environment is laid over a fixed HOME
 * (nothing of the runner's leaks in), and with these expectations:
 * - `expected-project.json`: the stable view of the loaded project (below), or `expected-load-error.txt`: our
 *   error, as `formatDiagnostic(d, <scenario>)` prints it, the scenario folder written `<scenario>` inside messages;
 * - `expected-load-warnings.txt` (when there are warnings): our warnings, one per line;
 * - `expected-compose-error.txt` (error scenarios): what docker-compose says (its first line is compared
 *   when the tool runs; for a schema error, `validating <file>: <message>`, our error must contain the message);
 * - `divergence.txt` (rare): where compose 2.40.3 is knowingly not followed, and why (see readDivergence).
 *
 * The stable view: `{ name, workingDir, files, activeProfiles, services: { <name>: { active, image?, platform?,
 * profiles, build? } }, secrets }`, with absolute paths inside the scenario written `./…` (`.` for the folder
 * itself) and empty lists and mappings left out of `build`.
 *
 * The compose check: `docker-compose [-f …] [-p …] [--profile …] [--env-file …] [--project-directory …] config
 * --format json [services]` with the scenario's environment (plus PATH, DOCKER_CONFIG and DOCKER_HOST) in the
 * scenario's cwd (`--format yaml` where a build has ssh or x-* keys, see test/support/compose-config.ts). Compose prints only the active services (or the named ones) and the secrets they use; for
 * those, the project name, `image`, `platform`, the whole `build` section and the top-level secrets must equal
 * ours, and so must the set of variables reported as not set. Compose runs in a small pool, started up front.
 *
 * `UPDATE_GOLDEN=1` rewrites the expected files; read every change before keeping it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadProject, type LoadOptions } from "../src/compose/load";
import type { ComposeBuild, ComposeProject } from "../src/compose/model";
import { CompileError, DiagnosticBag, formatDiagnostic } from "../src/diagnostics";
import { caseNames, caseOptions, readCase } from "./support/cases";
import {
  comparableBuild,
  composeErrorText,
  composeGlobalArgs,
  normaliseComposeConfig,
  relativeTo,
  runCompose,
  unsetVariables,
  type ComposeRun,
  type ScenarioArgs,
  type StableBuild,
  type StableSecret,
} from "./support/compose-config";
import { findRealTools, whyNoRealTools } from "./support/realtools";
import { pool } from "./support/pool";
import { dict } from "../src/dict";

const update = Boolean(process.env.UPDATE_GOLDEN);
/** HOME for both loaders unless case.json sets one: a folder that does not exist, outside every scenario. */
const FIXED_HOME = "/nonexistent/c2b-home";

interface Scenario {
  readonly name: string;
  readonly dir: string;
  readonly args: ScenarioArgs;
  readonly env: Record<string, string>;
  readonly cwd: string;
}

function readScenario(name: string): Scenario {
  const c = readCase("loading", name);
  const { resolve, absolutePaths, ...args } = caseOptions(c.args);
  if (resolve || absolutePaths) throw new Error(`${c.dir}: a loading scenario takes only loading flags`);
  return { name, dir: c.dir, args, env: { HOME: FIXED_HOME, ...c.env }, cwd: c.cwd };
}

const names = caseNames("loading");
const scenarios = new Map(names.map((n) => [n, readScenario(n)]));

/**
 * `divergence.txt`, one line per divergence from compose 2.40.3, each saying why:
 * - `outcome: <why>`: compose fails where we load, or the reverse;
 * - `warnings: <why>`: compose reports unset variables that we do not (in a default that is not used);
 * - `build <service>: <why>`: compose loads that service's build differently (a bug fixed in later compose-go);
 * - `error: <why>`: both fail, for different reasons (compose 2.40.3 stops earlier, at a key it does not know yet).
 * The compose check then asserts that the divergence is still there, so that it is noticed once compose agrees.
 */
interface Divergence {
  outcome?: string;
  warnings?: string;
  error?: string;
  builds: Map<string, string>;
}

function readDivergence(file: string): Divergence {
  const d: Divergence = { builds: new Map() };
  if (!fs.existsSync(file)) return d;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const m = /^(outcome|warnings|error|build ([\w.-]+)): (.+)$/.exec(line);
    if (!m)
      throw new Error(
        `${file}: expected "outcome: <why>", "warnings: <why>", "error: <why>" or "build <service>: <why>", got ${line}`,
      );
    if (m[2] !== undefined) d.builds.set(m[2], m[3]!);
    else d[m[1] as "outcome" | "warnings" | "error"] = m[3]!;
  }
  return d;
}

/**
 * The part of compose's error text that ours must contain: its lines joined by one space (Go wraps decoding
 * errors and lists over several lines), without `validating <file>: ` and the `: invalid compose project` every
 * project check ends with; a message whose next lines are an indented list (an extends cycle) by its first line,
 * since Go's map order decides where the list starts.
 */
function composeWording(text: string): string {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const listed = lines.length > 1 && /^\s/.test(lines[1]!);
  return (listed ? [lines[0]!] : lines)
    .map((l) => l.trim())
    .join(" ")
    .replace(/^validating [^:]+: /, "")
    .replace(/: invalid compose project$/, "");
}

// ---------------------------------------------------------------------------------------------------
// Our side
// ---------------------------------------------------------------------------------------------------

type Outcome =
  | { ok: true; project: ComposeProject; view: unknown; warnings: string[] }
  | { ok: false; error: string; warnings: string[] };

function loadOurs(s: Scenario): Outcome {
  const diagnostics = new DiagnosticBag();
  const options: LoadOptions = { ...s.args, cwd: s.cwd, env: s.env };
  const warnings = () => diagnostics.all.map((d) => stableText(formatDiagnostic(d, s.dir), s.dir));
  try {
    const project = loadProject(options, diagnostics);
    return { ok: true, project, view: stableView(project, s.dir), warnings: warnings() };
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    const error = e.diagnostics.map((d) => stableText(formatDiagnostic(d, s.dir), s.dir)).join("\n");
    return { ok: false, error, warnings: warnings() };
  }
}

function stableText(text: string, dir: string): string {
  return text.split(dir).join("<scenario>");
}

function stableView(project: ComposeProject, dir: string) {
  const rel = (p: string) => relativeTo(dir, p);
  const services = dict<unknown>();
  for (const [name, s] of Object.entries(project.services)) {
    services[name] = {
      active: s.active,
      ...(s.image !== undefined && { image: s.image }),
      ...(s.platform !== undefined && { platform: s.platform }),
      profiles: s.profiles,
      ...(s.build && { build: stableBuild(s.build, dir) }),
    };
  }
  const secrets = dict<StableSecret>();
  for (const [name, s] of Object.entries(project.secrets)) {
    secrets[name] = {
      ...(s.file !== undefined && { file: rel(s.file) }),
      ...(s.environment !== undefined && { environment: s.environment }),
      ...(s.external !== undefined && { external: s.external }),
    };
  }
  return {
    name: project.name,
    workingDir: rel(project.workingDir),
    files: project.files.map(rel),
    activeProfiles: project.activeProfiles,
    services,
    secrets,
  };
}

function stableBuild(b: ComposeBuild, dir: string): StableBuild {
  const rel = (p: string) => relativeTo(dir, p);
  const out: Record<string, unknown> = { context: rel(b.context) };
  const put = (key: string, v: unknown) => {
    if (v === undefined) return;
    if (Array.isArray(v) && v.length === 0) return;
    if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0) return;
    out[key] = v;
  };
  put("dockerfile", b.dockerfile);
  put("dockerfile_inline", b.dockerfile_inline);
  put("args", { ...b.args });
  put(
    "ssh",
    b.ssh.map((k) => (k.path === undefined ? k.id : `${k.id}=${rel(k.path)}`)),
  );
  put("labels", { ...b.labels });
  put("cache_from", b.cache_from);
  put("cache_to", b.cache_to);
  put("no_cache", b.no_cache);
  put("no_cache_filter", b.no_cache_filter);
  put("additional_contexts", Object.fromEntries(Object.entries(b.additional_contexts).map(([k, v]) => [k, rel(v)])));
  put("network", b.network);
  put("provenance", b.provenance);
  put("sbom", b.sbom);
  put("pull", b.pull);
  put("target", b.target);
  put("shm_size", b.shm_size);
  put("extra_hosts", { ...b.extra_hosts });
  put("isolation", b.isolation);
  put("privileged", b.privileged);
  put(
    "secrets",
    b.secrets.map((s) => ({ ...s })),
  );
  put("tags", b.tags);
  put(
    "ulimits",
    Object.fromEntries(Object.entries(b.ulimits).map(([k, u]) => [k, u.single ?? { soft: u.soft, hard: u.hard }])),
  );
  put("platforms", b.platforms);
  put("entitlements", b.entitlements);
  put("extensions", { ...b.extensions });
  return JSON.parse(JSON.stringify(out)) as StableBuild;
}

// ---------------------------------------------------------------------------------------------------
// Compose's side, started up front in a small pool
// ---------------------------------------------------------------------------------------------------

const tools = findRealTools();
const outcomes = new Map(names.map((n) => [n, loadOurs(scenarios.get(n)!)]));

interface ComposeResult {
  readonly run: ComposeRun;
  readonly format: "json" | "yaml";
}

function composeEnv(s: Scenario): NodeJS.ProcessEnv {
  const t = tools!.env;
  return { PATH: t.PATH, DOCKER_CONFIG: t.DOCKER_CONFIG, DOCKER_HOST: t.DOCKER_HOST, ...s.env };
}

async function runComposeConfig(s: Scenario): Promise<ComposeResult> {
  const ours = outcomes.get(s.name)!;
  // --format json drops x-* keys inside build and fails on build.ssh (compose 2.40.3); YAML has neither problem.
  const needsYaml =
    ours.ok &&
    Object.values(ours.project.services).some(
      (svc) => svc.build && (svc.build.ssh.length > 0 || Object.keys(svc.build.extensions).length > 0),
    );
  const argv = (format: "json" | "yaml") => [
    ...composeGlobalArgs(s.args),
    "config",
    "--format",
    format,
    ...(s.args.services ?? []),
  ];
  const first = needsYaml ? "yaml" : "json";
  const run = await runCompose(tools!.compose, argv(first), s.cwd, composeEnv(s));
  if (first === "json" && run.status !== 0 && run.stderr.includes("MarshalJSON for type types.SSHKey")) {
    return { run: await runCompose(tools!.compose, argv("yaml"), s.cwd, composeEnv(s)), format: "yaml" };
  }
  return { run, format: first };
}

const composeRuns = new Map<string, Promise<ComposeResult>>();
if (tools) {
  const limit = pool(4);
  const promises = names.map((n) => limit(() => runComposeConfig(scenarios.get(n)!)));
  names.forEach((n, i) => {
    const p = promises[i]!;
    p.catch(() => undefined); // reported by the test that awaits it
    composeRuns.set(n, p);
  });
}

// ---------------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------------

// With `-t`, some runs are never awaited by a test: wait for them so that Jest can exit.
afterAll(() => Promise.allSettled(composeRuns.values()));

test("there are at least 60 scenarios, each with a README and one expectation", () => {
  expect(names.length).toBeGreaterThanOrEqual(60);
  for (const n of names) {
    const dir = scenarios.get(n)!.dir;
    expect([n, fs.existsSync(path.join(dir, "README"))]).toEqual([n, true]);
    if (!update) {
      const has = ["expected-project.json", "expected-load-error.txt"].filter((f) => fs.existsSync(path.join(dir, f)));
      expect([n, has.length]).toEqual([n, 1]);
    }
  }
});

describe.each(names)("loading/%s", (name) => {
  const s = scenarios.get(name)!;
  const file = (f: string) => path.join(s.dir, f);
  const read = (f: string) => fs.readFileSync(file(f), "utf8");
  const write = (f: string, text: string | undefined) => {
    if (text === undefined) fs.rmSync(file(f), { force: true });
    else fs.writeFileSync(file(f), text);
  };

  test("loadProject gives the expected result", () => {
    const ours = outcomes.get(name)!;
    if (update) {
      write("expected-project.json", ours.ok ? JSON.stringify(ours.view, null, 2) + "\n" : undefined);
      write("expected-load-error.txt", ours.ok ? undefined : ours.error + "\n");
      write("expected-load-warnings.txt", ours.warnings.length > 0 ? ours.warnings.join("\n") + "\n" : undefined);
    }
    const warnings = fs.existsSync(file("expected-load-warnings.txt")) ? read("expected-load-warnings.txt") : "";
    expect(ours.warnings.map((w) => w + "\n").join("")).toBe(warnings);
    if (ours.ok) {
      expect(fs.existsSync(file("expected-load-error.txt"))).toBe(false);
      expect(ours.view).toEqual(JSON.parse(read("expected-project.json")));
    } else {
      expect(fs.existsSync(file("expected-project.json"))).toBe(false);
      expect(ours.error + "\n").toBe(read("expected-load-error.txt"));
      // Where the YAML has a position, the message names it.
      expect(ours.error).toMatch(/^(.+: )?error: .+ \[[a-z-]+\]$/m);
    }
  });

  const composeTest = tools ? test : test.skip;
  composeTest(`docker-compose config agrees${tools ? "" : ` (skipped: ${whyNoRealTools()})`}`, async () => {
    const ours = outcomes.get(name)!;
    const { run, format } = await composeRuns.get(name)!;
    const divergence = readDivergence(file("divergence.txt"));
    const divergent = divergence.outcome !== undefined;
    const composeOk = run.status === 0;
    const context = `${run.command}\n(cwd ${s.cwd})\n${run.stderr}`;
    // Our outcome and compose's: equal, or opposite when the scenario documents a divergence.
    expect({ composeLoads: composeOk, context }).toEqual({ composeLoads: divergent ? !ours.ok : ours.ok, context });
    if (!composeOk) {
      const text = composeErrorText(run.stderr, s.dir) + "\n";
      if (update) write("expected-compose-error.txt", text);
      // The first line only: Go's map order may change the rest (where an extends cycle is said to start).
      expect(text.split("\n")[0]).toBe(read("expected-compose-error.txt").split("\n")[0]);
      // Compose's wording is ours (a schema error: its one message is among the problems we list), unless an
      // `error:` divergence says why not; then it must really differ, so the note cannot go stale.
      if (!ours.ok) {
        const wording = composeWording(text);
        if (divergence.error === undefined) expect(ours.error).toContain(wording);
        else expect(ours.error).not.toContain(wording);
      }
      return;
    }
    // An `error:` divergence is about two failures; once compose loads the scenario, it is out of date.
    expect({ errorDivergence: divergence.error }).toEqual({ errorDivergence: undefined });
    if (update) write("expected-compose-error.txt", undefined);
    if (!ours.ok) return;
    const theirs = normaliseComposeConfig(run.stdout, format, s.dir);
    const project = ours.project;
    expect(theirs.name).toBe(project.name);
    for (const [svcName, svc] of Object.entries(theirs.services)) {
      const mine = project.services[svcName];
      expect({ service: svcName, known: mine !== undefined, active: mine?.active }).toEqual({
        service: svcName,
        known: true,
        active: true,
      });
      const ourBuild = mine!.build ? stableBuild(mine!.build, s.dir) : undefined;
      const theirView = {
        service: svcName,
        image: svc.image,
        platform: svc.platform,
        build: comparableBuild(svc.build),
      };
      const ourView = {
        service: svcName,
        image: mine!.image,
        platform: mine!.platform,
        build: comparableBuild(ourBuild),
      };
      if (divergence.builds.has(svcName)) expect(theirView).not.toEqual(ourView);
      else expect(theirView).toEqual(ourView);
    }
    if ((s.args.services ?? []).length === 0) {
      const active = Object.values(project.services)
        .filter((x) => x.active)
        .map((x) => x.name)
        .sort();
      expect(Object.keys(theirs.services).sort()).toEqual(active);
    }
    for (const [secretName, secret] of Object.entries(theirs.secrets)) {
      const mine = project.secrets[secretName];
      expect({ secret: secretName, ...secret }).toEqual({
        secret: secretName,
        ...(mine?.file !== undefined && { file: relativeTo(s.dir, mine.file) }),
        ...(mine?.environment !== undefined && { environment: mine.environment }),
        ...(mine?.external && { external: true }),
      });
    }
    const ourUnset = ours.warnings
      .map((w) => /The "([^"]+)" variable is not set/.exec(w)?.[1])
      .filter((x): x is string => x !== undefined)
      .sort();
    const composeUnset = unsetVariables(run.stderr);
    if (divergence.warnings !== undefined) {
      // compose warns about more variables than we do; never about fewer.
      expect(ourUnset.filter((v) => !composeUnset.includes(v))).toEqual([]);
      expect(composeUnset.length).toBeGreaterThan(ourUnset.length);
    } else {
      expect({ unset: composeUnset }).toEqual({ unset: ourUnset });
    }
  });
});
