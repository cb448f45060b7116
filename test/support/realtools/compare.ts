/** Comparing two normalised bake files: the differences, less the ones a test documents as expected. */
import { canonicalJson, parseCsv, type NormalisedBake, type NormalisedTarget } from "./normalise";
import { dict } from "../../../src/dict";

export interface Difference {
  /** Target name, or `group:<name>` for a group. */
  target: string;
  /** Field name; `args.FOO`, `secret[id]`, … for one entry of a map or keyed set; `(target)` when a whole target is missing. */
  field: string;
  ours: unknown;
  theirs: unknown;
}

/** Documented differences to leave out of a comparison. Every rule applies to both sides. */
export interface IgnoreRules {
  /** Label keys to drop: a key ending in `.` is a prefix (`com.docker.compose.`), anything else exact. */
  labels?: string[];
  /** Output entries to drop, in canonical CSV form (`type=docker`). */
  outputs?: string[];
  /** Tags to drop (exact strings or patterns), e.g. compose's automatic `<project>-<service>` image name. */
  tags?: Array<string | RegExp>;
  /** Fields to leave out: `field` for every target, or `target.field` for one. */
  fields?: string[];
  /**
   * Groups: "compare" (default) compares every group; "default" compares only the `default` group;
   * "ignore" compares none. Groups present on one side only are reported unless ignored here.
   */
  groups?: "compare" | "default" | "ignore";
  /** Targets to leave out entirely (e.g. ones one side prints only as `cacheonly` dependencies). */
  targets?: string[];
  /**
   * Treat a disabled attestation (`type=provenance,disabled=true`) as absent, on both sides: for comparing with
   * a tool that writes nothing for `provenance: false` and lets bake's default decide.
   */
  disabledAttestations?: boolean;
}

/**
 * The differences between docker compose's own bake output and ours that the README documents
 * ("Deliberate differences from docker compose build --print"), each one checked by the differential tests:
 * - `labels`: compose adds com.docker.compose.{project,service,version} to every target;
 * - `outputs`: compose adds `type=docker` (load into its engine), or `type=image,push=false` when a target has
 *   more than one platform (the docker exporter cannot load a multi-platform image); we write no output;
 * - `groups`: we add one group per profile, so only `default` is compared;
 * - `disabledAttestations`: for `provenance: false` / `sbom: false` compose writes nothing, we write a disabled
 *   attestation (so bake's default does not switch provenance back on when the file is run by hand).
 * Tags need no rule: both sides write `<project>-<service>` when there is no image, and tags are compared as sets.
 */
export const COMPOSE_DOCUMENTED_DIFFERENCES: IgnoreRules = {
  labels: ["com.docker.compose."],
  outputs: ["type=docker", "type=image,push=false"],
  groups: "default",
  disabledAttestations: true,
};

/** Compares target by target, field by field. An empty list means the two are equivalent. */
export function compareBakes(ours: NormalisedBake, theirs: NormalisedBake, ignore: IgnoreRules = {}): Difference[] {
  const diffs: Difference[] = [];
  const groupMode = ignore.groups ?? "compare";
  if (groupMode !== "ignore") {
    const names = unionKeys(ours.groups, theirs.groups).filter((g) => groupMode === "compare" || g === "default");
    for (const g of names) {
      const skip = new Set(ignore.targets ?? []);
      const a = ours.groups[g]?.filter((t) => !skip.has(t));
      const b = theirs.groups[g]?.filter((t) => !skip.has(t));
      if (!deepEqual(a, b)) diffs.push({ target: `group:${g}`, field: "targets", ours: a, theirs: b });
    }
  }
  for (const name of unionKeys(ours.targets, theirs.targets)) {
    if (ignore.targets?.includes(name)) continue;
    const a = ours.targets[name];
    const b = theirs.targets[name];
    if (!a || !b) {
      diffs.push({ target: name, field: "(target)", ours: a, theirs: b });
      continue;
    }
    const fa = applyIgnores(name, a, ignore);
    const fb = applyIgnores(name, b, ignore);
    for (const field of unionKeys(fa, fb)) {
      const va = fa[field];
      const vb = fb[field];
      if (isMap(va) || isMap(vb)) {
        const ma = isMap(va) ? va : {};
        const mb = isMap(vb) ? vb : {};
        if (va !== undefined && vb !== undefined && (!isMap(va) || !isMap(vb))) {
          diffs.push({ target: name, field, ours: va, theirs: vb });
          continue;
        }
        const keyed = KEYED_SETS.has(field);
        for (const key of unionKeys(ma, mb)) {
          if (!deepEqual(ma[key], mb[key])) {
            diffs.push({
              target: name,
              field: keyed ? `${field}[${key}]` : `${field}.${key}`,
              ours: ma[key],
              theirs: mb[key],
            });
          }
        }
      } else if (!deepEqual(va, vb)) {
        diffs.push({ target: name, field, ours: va, theirs: vb });
      }
    }
  }
  return diffs;
}

const KEYED_SETS = new Set(["secret", "ssh", "attest", "ulimits"]);

function applyIgnores(name: string, t: NormalisedTarget, ignore: IgnoreRules): NormalisedTarget {
  const out: NormalisedTarget = { ...t };
  for (const f of ignore.fields ?? []) {
    const dot = f.indexOf(".");
    if (dot < 0) delete out[f];
    else if (f.slice(0, dot) === name) delete out[f.slice(dot + 1)];
  }
  const labels = out.labels;
  if (ignore.labels?.length && isMap(labels)) {
    const kept = dict<string | null>();
    for (const [k, v] of Object.entries(labels)) {
      const dropped = ignore.labels.some((rule) => (rule.endsWith(".") ? k.startsWith(rule) : k === rule));
      if (!dropped) kept[k] = v;
    }
    if (Object.keys(kept).length) out.labels = kept;
    else delete out.labels;
  }
  const filterList = (field: string, drop: (v: string) => boolean) => {
    const v = out[field];
    if (!Array.isArray(v)) return;
    const kept = v.filter((x) => !drop(x));
    if (kept.length) out[field] = kept;
    else delete out[field];
  };
  if (ignore.outputs?.length) filterList("output", (v) => ignore.outputs!.includes(v));
  const attest = out.attest;
  if (ignore.disabledAttestations && isMap(attest)) {
    const kept = Object.fromEntries(
      Object.entries(attest).filter(([, v]) => !parseCsv(v ?? "").some(([k, x]) => k === "disabled" && x === "true")),
    );
    if (Object.keys(kept).length) out.attest = kept;
    else delete out.attest;
  }
  if (ignore.tags?.length) {
    filterList("tags", (v) => ignore.tags!.some((rule) => (typeof rule === "string" ? rule === v : rule.test(v))));
  }
  return out;
}

function isMap(v: unknown): v is { [key: string]: string | null } {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** One line per difference, for test failure messages. */
export function formatDifferences(diffs: Difference[]): string {
  const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));
  return diffs.map((d) => `${d.target} ${d.field}: ours ${show(d.ours)}, theirs ${show(d.theirs)}`).join("\n");
}
