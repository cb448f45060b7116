/**
 * The differential fuzzer (issue #13 item 3), a short run with a fixed seed: random valid Compose projects
 * (test/fuzz/generate.ts) through `docker compose build --print` and through compose2bake, in kept-variables mode
 * and with `--resolve`, both files resolved by `docker buildx bake --print` and compared (test/fuzz/check.ts). Any
 * difference other than the README's deliberate ones fails the test with the shrunk project, as a script that
 * recreates it as a fixture folder. `npm run fuzz -- --runs N [--seed S] [--mode keep|resolve]` runs longer.
 *
 * Issue #13 item 3's bar, met with the balanced generator (both tools refuse about a quarter of the projects):
 * `npm run fuzz -- --runs 2000 --seed 8001 --mode keep` (same 1418, both-reject 518, nothing-to-build 64) and
 * `--runs 2000 --seed 7001 --mode resolve` (same 1355, both-reject 599, nothing-to-build 46) found no difference.
 *
 * Counterexamples found so far, each kept where it belongs (this test only guards the generator and the comparison
 * from rotting):
 * - a requirement inside an unused default/alternative (`${T1+${T1:?}}`): compose 2.40.3 evaluates it, current
 *   compose-go and we do not: test/loading/interpolation-nested-lazy-required (divergence recorded); the generator
 *   no longer nests requirements;
 * - `$$` then `{a}` in a label, a literal `${a}` compose 2.40.3 leaves unescaped: its bug, already the
 *   special-characters fixture; the generator no longer writes a literal starting with `{`;
 * - an include's env file and `.env` setting the same variable read by both projects: the README's documented
 *   `kept-variable-include-conflict` (fixture kept-include-env-file); since written exactly (a null default, each
 *   use with its own fallback: test/keep/include-env.test.ts), so no longer excused;
 * - kept mode, `platform: ${PLAT+$PLAT}` with PLAT set in `.env`, and `privileged: "${FLAG-}"` with FLAG=True:
 *   issue #13 item 1 (values resolved as if unset), behind EXERCISE_KEPT_AS_UNSET_PLACES until that work lands;
 * - `--resolve`, `build.ulimits: {nproc: "${NUM}"}` in one file and `nproc: 1024` in a later `-f` file (or an
 *   `extends` base): compose 2.40.3 checks each file before merging and refuses the string ("invalid type string
 *   for external"); we check the merged value and accept. Not fixed yet (reported to the lead);
 * - `--resolve`, an included file's `build.context: "${DIR}"` with DIR unset (so `""`): compose leaves the context
 *   empty, which bake reads as the folder it runs in (the main project's); we resolve it to the included file's
 *   folder. Not fixed yet (reported to the lead);
 * - `volumes: ["undecl:/app", "/app"]` (keep, seed 12): compose-go keeps one item per target, so the undeclared
 *   volume is never checked; we refused it. Fixed, with devices keyed the same way before they are parsed
 *   (test/loading/volume-replaced-by-target, device-replaced-by-target, error-device-confusing-replaced-later);
 * - `ssh: [k.2]` then `ssh: !reset []` in a later file (keep, seed 4242): compose-go's canonical transform refuses
 *   the id once the first file is merged; we checked only the final list. Fixed (error-ssh-id-reset-later).
 */
import * as fc from "fast-check";
import * as os from "node:os";
import { findRealTools, whyNoRealTools } from "../support/realtools";
import { asFixtureScript } from "./check";
import { arbitraryFor, fuzz } from "./fuzz";
import { renderProject, VARIABLES, type FuzzProject, type Kind } from "./generate";

const SEED = 20261207;
const RUNS = 16;

const tools = findRealTools();
if (!tools)
  console.warn(`real docker-buildx/docker-compose not found, SKIPPING the differential fuzzer: ${whyNoRealTools()}`);
const withTools = tools ? test : test.skip;

test("the generator writes every kind of input the brief names", () => {
  const projects = fc.sample(arbitraryFor(["keep", "resolve"]), { seed: SEED, numRuns: 300 });
  const seen = new Set<string>();
  for (const p of projects) {
    const r = renderProject(p);
    const text = Object.entries(r.files)
      .filter(([f]) => f.endsWith(".yaml"))
      .map(([, t]) => t)
      .join("\n");
    for (const [feature, re] of FEATURES) if (re.test(text)) seen.add(feature);
    if (r.args.includes("--env-file")) seen.add("--env-file");
    if (r.args.includes("--profile")) seen.add("--profile");
    if (r.args.filter((a) => a === "-f").length > 1) seen.add("several -f");
    if (r.files["compose.override.yaml"]) seen.add("compose.override.yaml");
    if (r.files[".env"]) seen.add(".env");
    for (const v of Object.values(p.variables)) {
      for (const value of [v.proc, v.dotenv, v.envFile])
        seen.add(value === undefined ? "unset" : value === "" ? "empty" : "set");
    }
    collectOps(p, seen);
  }
  const missing = [
    ...FEATURES.map(([f]) => f),
    "--env-file",
    "--profile",
    "several -f",
    "compose.override.yaml",
    ".env",
    "unset",
    "empty",
    "set",
  ]
    .concat(["plain", "bare", ":-", "-", ":+", "+", ":?", "?"].map((op) => `op ${op}`))
    .filter((f) => !seen.has(f));
  expect(missing).toEqual([]);
});

test("the generator still draws, rarely, what both tools refuse", () => {
  // The balance in generate.ts (OP_WEIGHTS, VALUE_OP_WEIGHTS, argPieces, variableArb, ulimits, noSelfLink) makes
  // refused projects a minority; each refusal path must still be drawn. 600 projects: "app linked to itself" is
  // rare (with the args and labels key variables added, the first 300 of this seed had none).
  const projects = fc.sample(arbitraryFor(["resolve"]), { seed: SEED, numRuns: 600 });
  const valueNames = new Set(
    (Object.keys(VARIABLES) as Kind[]).filter((k) => k !== "text" && k !== "word").flatMap((k) => VARIABLES[k].names),
  );
  const seen = new Set<string>();
  for (const p of projects) {
    const yaml = Object.entries(renderProject(p).files)
      .filter(([f]) => f.endsWith(".yaml"))
      .map(([, t]) => t)
      .join("\n");
    if (/^ {8}(nofile|nproc|memlock): "/m.test(yaml)) seen.add("a variable in a ulimit");
    if (/^ {6}- "undecl:/m.test(yaml)) seen.add("an undeclared volume");
    if (/^ {6}- ".*:ro:x"$/m.test(yaml)) seen.add("a volume of four parts");
    if (/^ {6}- ".*:rw:x"$/m.test(yaml)) seen.add("a device of four parts");
    const overridesApp = p.second?.overrides.find((o) => o.service % p.services.length === 0);
    const basedApp = p.services[0]?.extends && "file" in p.services[0].extends ? p.baseBuild : undefined;
    if (
      [overridesApp?.build, basedApp].some((b) => JSON.stringify(b?.additional_contexts ?? "").includes("service:app"))
    )
      seen.add("app linked to itself");
    for (const [name, v] of Object.entries(p.variables))
      if (valueNames.has(name) && [v.proc, v.dotenv, v.envFile].includes("")) seen.add("an empty value-like variable");
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === "object") {
        if ("ref" in x && "op" in x) {
          const r = x as { ref: string; op: string; arg: unknown[] };
          if (r.op === ":?" || r.op === "?") seen.add("a requirement");
          if (valueNames.has(r.ref) && ["-", ":-", "+", ":+"].includes(r.op) && r.arg.length !== 1)
            seen.add("a value-like default of no piece or two");
        }
        Object.values(x).forEach(walk);
      }
    };
    walk(p);
  }
  expect([...seen].sort()).toEqual(
    [
      "a device of four parts",
      "a requirement",
      "a value-like default of no piece or two",
      "a volume of four parts",
      "an undeclared volume",
      "a variable in a ulimit",
      "an empty value-like variable",
      "app linked to itself",
    ].sort(),
  );
});

test("shrinking gives a minimal project: one service, one key, nothing else", () => {
  // A stand-in for a tool difference, without the tools: "a label reads T1". The shrunk project must be the
  // smallest that still has one, so a real counterexample comes out as small as its cause.
  const hasT1Label = (p: FuzzProject) => /labels:(\n {8}.*)*\$\{?T1/.test(renderProject(p).files["compose.yaml"]!);
  const r = fc.check(
    fc.property(arbitraryFor(["keep"]), (p) => !hasT1Label(p)),
    { seed: SEED, numRuns: 2000 },
  );
  expect(r.failed).toBe(true);
  const p = r.counterexample![0];
  const rendered = renderProject(p);
  expect(p.services).toHaveLength(1);
  expect(Object.keys(p.services[0]!.build ?? {})).toEqual(["labels"]);
  expect(p.services[0]!.build!.labels!.entries).toHaveLength(1);
  expect(Object.keys(rendered.files).filter((f) => f.endsWith(".yaml"))).toEqual(["compose.yaml"]);
  expect(rendered.args).toEqual([]);
  expect(rendered.env).toEqual({});
  expect(rendered.files[".env"]).toBeUndefined();
});

/** Features, found in the YAML text of the generated files. */
const FEATURES: ReadonlyArray<readonly [string, RegExp]> = [
  ["short build", /^ {4}build: "/m],
  ["args map", /^ {6}args:\n {8}[^-]/m],
  ["args list", /^ {6}args:\n {8}- /m],
  ["value-less arg", /^ {8}(- "[A-Za-z_.-]+"|[A-Za-z_.-]+: null)$/m],
  ["labels", /^ {6}labels:/m],
  ["secrets long", /^ {8}-\n {10}source:/m],
  ["ssh map", /^ {6}ssh:\n {8}[^-]/m],
  ["ssh list", /^ {6}ssh:\n {8}- /m],
  ...[
    "cache_from",
    "cache_to",
    "tags",
    "platforms",
    "network",
    "extra_hosts",
    "shm_size",
    "ulimits",
    "target",
    "pull",
    "no_cache",
    "additional_contexts",
    "dockerfile_inline",
    "dockerfile",
    "entitlements",
    "privileged",
    "isolation",
  ].map((k) => [k, new RegExp(`^ {6}${k}:`, "m")] as const),
  ["args key from a variable", /^ {8}- "\$\{AK:-ak_1\}=/m],
  ["labels key from a variable", /^ {8}- "\$\{LK:-lk\}=/m],
  ["ulimits soft/hard", /^ {10}soft:/m],
  ["extends same file", /^ {4}extends: "/m],
  ["extends other file", /file: "common\/base.yaml"/],
  ["include", /^include:/m],
  ["include env_file", /env_file: "sub\/inc.env"/],
  ["profiles", /^ {4}profiles:/m],
  ["ports", /^ {4}ports:/m],
  ["volumes short", /^ {4}volumes:\n {6}- "/m],
  ["volumes long", /^ {4}volumes:\n( {6}- ".*\n)* {6}-\n {8}type:/m],
  ["volumes in a later file", /^ {4}build:(\n {6}.*)*\n {4}volumes:/m],
  ["devices", /^ {4}devices:/m],
  ["anchor merge", /<<: \*b\d/],
  ["shared args anchor", /<<: \*shared/],
  ["!reset", /!reset/],
  ["!override", /!override/],
  ["$$", /\$\$/],
  ["special characters in names", /web\.api:/],
  ["unicode", /[ü日✓]/],
];

function collectOps(p: FuzzProject, seen: Set<string>): void {
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      if ("ref" in v && "op" in v) seen.add(`op ${(v as { op: string }).op}`);
      Object.values(v).forEach(walk);
    }
  };
  walk(p);
}

for (const mode of ["keep", "resolve"] as const) {
  withTools(
    `${mode === "keep" ? "kept variables (default)" : "--resolve"}: ${RUNS} generated projects (seed ${SEED}) build as docker compose builds them`,
    async () => {
      const result = await fuzz(tools!, {
        runs: RUNS,
        seed: SEED,
        modes: [mode],
        parallel: Math.max(2, os.cpus().length * 2),
      });
      const c = result.counterexample;
      if (c) {
        throw new Error(
          `counterexample (run ${c.index} of seed ${c.seed}, shrunk):\n${c.reason}\n\nthe project:\n${asFixtureScript(c.rendered, "test/fixtures/NAME")}`,
        );
      }
      // The runs must have compared something: most projects build on both sides.
      expect(result.stats.same).toBeGreaterThanOrEqual(RUNS / 3);
    },
    // A counterexample is shrunk one tool run at a time: minutes on a busy machine. A passing run takes seconds.
    900_000,
  );
}
