/**
 * The differential check shared by the kept-mode suites (test/keep/exact*.test.ts, platform-checks.test.ts): the
 * kept file is generated once (JSON and HCL, with only the generation environment: control variables such as
 * DOCKER_DEFAULT_PLATFORM), then under each environment E `docker buildx bake --print` of it must do what
 * `docker compose build --print` does under E, resolved by the same bake: both refuse, or both build the same
 * targets (apart from the documented differences). The refusals are returned, so each suite states its own rule
 * about them (which message, how many).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compose2bake } from "../../src/index";
import { tempProject } from "./run";
import {
  bakePrintAsync,
  compareBakes,
  COMPOSE_DOCUMENTED_DIFFERENCES,
  composeViaBakeAsync,
  findRealTools,
  formatDifferences,
  normaliseBakePrint,
  type RealTools,
  whyNoRealTools,
} from "./realtools";

type Env = Record<string, string>;

export interface Refusal {
  readonly label: string;
  readonly ours: string;
  readonly theirs: string;
}

export async function keptFileAgainstCompose(
  tools: RealTools,
  o: {
    /** The project folder (compose.yaml there); the bake files are written beside it. */
    readonly cwd: string;
    readonly generation?: Env;
    /** COMPOSE_FILE for both tools (default `compose.yaml`), e.g. `compose.yaml:over.yaml` for a later file. */
    readonly composeFile?: string;
    /** Each environment with the label a failure names it by. */
    readonly envs: ReadonlyArray<readonly [label: string, env: Env]>;
  },
): Promise<Refusal[]> {
  const { cwd } = o;
  const composeFile = o.composeFile ?? "compose.yaml";
  for (const format of ["json", "hcl"] as const) {
    const env = { ...o.generation, ...(o.composeFile === undefined ? {} : { COMPOSE_FILE: composeFile }) };
    fs.writeFileSync(path.join(cwd, `docker-bake.${format}`), compose2bake({ cwd, env, format }).text);
  }
  const verdict = (r: { ok: true } | { ok: false; stderr: string }): string =>
    r.ok ? "builds" : `refuses: ${r.stderr.trim()}`;
  const refusals: Refusal[] = [];
  for (const [name, env] of o.envs) {
    const theirs = await composeViaBakeAsync(tools, { cwd, env: { ...env, COMPOSE_FILE: composeFile } });
    for (const format of ["json", "hcl"]) {
      const ours = await bakePrintAsync(tools, { files: [`docker-bake.${format}`], cwd, env });
      const label = `${format} with ${name}`;
      if (ours.ok !== theirs.ok) {
        // Fails with both sides' output in the diff.
        expect({ label, ours: verdict(ours), compose: verdict(theirs) }).toEqual({
          label,
          ours: `(as compose) ${verdict(theirs)}`,
          compose: verdict(theirs),
        });
      } else if (!ours.ok && !theirs.ok) {
        refusals.push({ label, ours: ours.stderr, theirs: theirs.stderr });
      } else if (ours.ok && theirs.ok) {
        const diffs = compareBakes(
          normaliseBakePrint(ours.json, cwd),
          normaliseBakePrint(theirs.json, cwd),
          COMPOSE_DOCUMENTED_DIFFERENCES,
        );
        expect(`${label}\n${formatDifferences(diffs)}`).toBe(`${label}\n${formatDifferences([])}`);
      }
    }
  }
  return refusals;
}

/** One kept-mode case: a project, the environments it is compared under, and what the kept file must hold. */
export interface KeptCase {
  readonly name: string;
  /** Project files (the suite's layout adds what every case needs, such as a Dockerfile). */
  readonly files: Record<string, string>;
  /** The environment the file is generated with (control variables only); added to each environment too. */
  readonly generation?: Env;
  /** Environments to compare under; `{root}` in a value is the temporary folder the layout made. */
  readonly envs: ReadonlyArray<Env>;
  /** Text the kept HCL file must hold (the value stayed an expression). */
  readonly expression: string | readonly string[];
  /** When some environments make Compose refuse the project: its message, which bake must give too. */
  readonly message?: string | RegExp;
  /** The codes of the warnings expected; without it, only that none is `variable-resolved`. */
  readonly warnings?: readonly string[];
  /** COMPOSE_FILE for both tools (`compose.yaml:over.yaml` for a later file); default compose.yaml. */
  readonly composeFile?: string;
}

export interface KeptSuite {
  /** The temporary folder for a case's files: `root` (what `{root}` names) and the project folder in it. */
  readonly layout?: (files: Record<string, string>) => { readonly root: string; readonly cwd: string };
  /** What every environment of the differential run adds (HOME, an ssh agent), and how to undo it. */
  readonly around?: (root: string) => Promise<{ readonly env: Env; close?(): Promise<void> }>;
  /** Every case has environments on both sides of its message: it must also build under some. */
  readonly bothSides?: boolean;
  /** A case without `warnings` expects none at all (not only no `variable-resolved`). */
  readonly exactWarnings?: boolean;
  /**
   * Values the library-level test also generates with (on top of the case's generation environment), none of
   * which may appear in the file: the generating machine's values must not reach it.
   */
  readonly mustNotLeak?: Env;
  readonly timeout?: number;
}

/**
 * The two tests every kept-mode case gets: the library's kept file holds the expression (with the expected
 * warnings), and, with the real tools, bake under each environment does what Compose does under it (both refuse
 * with the case's message, or both build the same). Without the real tools the second is skipped, with a message
 * (findRealTools notes why; the run ends saying so, and under CI=true it fails).
 */
export function describeKeptCases(cases: readonly KeptCase[], suite: KeptSuite = {}): void {
  const tools = findRealTools();
  // Skipped only without the real tools; findRealTools has then noted why (test/support/skips.ts), the run ends
  // saying so, and under CI=true it fails.
  if (!tools) test.skip(`real tools missing: ${whyNoRealTools()}`, () => undefined);
  const layout =
    suite.layout ??
    ((files: Record<string, string>) => {
      const cwd = tempProject({ Dockerfile: "FROM alpine\n", ...files });
      return { root: cwd, cwd };
    });
  const withTools = tools ? test : test.skip;
  describe.each(cases)("$name", (c) => {
    test("the value stays a bake expression, with only the expected warnings", () => {
      const { cwd } = layout(c.files);
      const composeFile = c.composeFile === undefined ? {} : { COMPOSE_FILE: c.composeFile };
      const r = compose2bake({ cwd, env: { ...suite.mustNotLeak, ...c.generation, ...composeFile }, format: "hcl" });
      for (const value of Object.values(suite.mustNotLeak ?? {})) expect(r.text).not.toContain(value);
      for (const text of typeof c.expression === "string" ? [c.expression] : c.expression)
        expect(r.text).toContain(text);
      const warnings = r.diagnostics.filter((d) => d.severity === "warning").map((d) => d.code);
      if (c.warnings !== undefined || suite.exactWarnings) expect(warnings).toEqual(c.warnings ?? []);
      else expect(warnings.filter((code) => code === "variable-resolved")).toEqual([]);
    });

    withTools(
      "bake under each environment = docker compose build under it",
      async () => {
        const { root, cwd } = layout(c.files);
        const common = await suite.around?.(root);
        try {
          const envs = c.envs.map((e) => {
            const env: Env = { ...common?.env, ...c.generation };
            for (const [k, v] of Object.entries(e)) env[k] = v.replace("{root}", root);
            return [JSON.stringify(e), env] as const;
          });
          const refusals = await keptFileAgainstCompose(tools!, {
            cwd,
            generation: c.generation,
            envs,
            ...(c.composeFile === undefined ? {} : { composeFile: c.composeFile }),
          });
          const message = c.message ?? "(no failure expected)";
          for (const r of refusals) {
            expect(r.theirs).toMatch(message);
            expect(r.ours).toMatch(message);
          }
          if (c.message !== undefined) expect(refusals.length).toBeGreaterThan(0);
          if (suite.bothSides) expect(refusals.length).toBeLessThan(envs.length * 2);
        } finally {
          await common?.close?.();
        }
      },
      suite.timeout ?? 180_000,
    );
  });
}
