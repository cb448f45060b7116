/** The whole differential step: our bake file and compose's, both resolved by `bake --print`, compared. */
import { bakePrintAsync, type BakePrintArgs } from "./bake";
import { compareBakes, type Difference, type IgnoreRules } from "./compare";
import { composeViaBakeAsync, type ComposeBuildPrintArgs } from "./compose";
import { normaliseBakePrint, type NormalisedBake } from "./normalise";
import type { RealTools, ToolFailure } from "./tools";

export interface DifferentialArgs {
  /** Our bake file(s), resolved by bake in ours.cwd (relative paths in them are relative to it). */
  ours: BakePrintArgs;
  /** The compose project, built by docker compose and resolved by the same bake. */
  compose: ComposeBuildPrintArgs & { bakeEnv?: Record<string, string> };
  ignore?: IgnoreRules;
}

/** ours → bake --print; compose → build --print → bake --print; normalise both; compare. */
export async function runDifferentialAsync(
  tools: RealTools,
  args: DifferentialArgs,
): Promise<
  | { ok: true; differences: Difference[]; ours: NormalisedBake; theirs: NormalisedBake; composeJson: unknown }
  | (ToolFailure & { side: "ours" | "compose" })
> {
  const [o, c] = await Promise.all([bakePrintAsync(tools, args.ours), composeViaBakeAsync(tools, args.compose)]);
  if (!o.ok) return { ...o, side: "ours" };
  if (!c.ok) return { ...c, side: "compose" };
  const ours = normaliseBakePrint(o.json, args.ours.cwd);
  const theirs = normaliseBakePrint(c.json, args.compose.cwd);
  return { ok: true, differences: compareBakes(ours, theirs, args.ignore), ours, theirs, composeJson: c.compose };
}
