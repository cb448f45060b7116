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
import {
  bakePrintAsync,
  compareBakes,
  COMPOSE_DOCUMENTED_DIFFERENCES,
  composeViaBakeAsync,
  formatDifferences,
  normaliseBakePrint,
  type RealTools,
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
    /** COMPOSE_FILE for both tools (`a.yaml:b.yaml` for several `-f` files); default compose.yaml. */
    readonly composeFile?: string;
    /** Each environment with the label a failure names it by. */
    readonly envs: ReadonlyArray<readonly [label: string, env: Env]>;
  },
): Promise<Refusal[]> {
  const { cwd } = o;
  for (const format of ["json", "hcl"] as const) {
    fs.writeFileSync(
      path.join(cwd, `docker-bake.${format}`),
      compose2bake({
        cwd,
        env: { ...(o.composeFile === undefined ? {} : { COMPOSE_FILE: o.composeFile }), ...o.generation },
        format,
      }).text,
    );
  }
  const verdict = (r: { ok: true } | { ok: false; stderr: string }): string =>
    r.ok ? "builds" : `refuses: ${r.stderr.trim()}`;
  const refusals: Refusal[] = [];
  for (const [name, env] of o.envs) {
    const theirs = await composeViaBakeAsync(tools, {
      cwd,
      env: { ...env, COMPOSE_FILE: o.composeFile ?? "compose.yaml" },
    });
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
