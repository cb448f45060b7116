/**
 * Merges Compose documents the way compose-go's `override.Merge` does (compose-loading-reference.md §6):
 * mappings by key, scalars replaced, sequences appended, plus the special mergers for the keys a build uses.
 * Both sides are raw (not yet normalised) data, so each special merger first brings both sides to one form.
 *
 * As in compose-go's MergeYaml, a null override keeps the base value (`!reset` is how a value is removed), and a
 * mapping or sequence overridden by anything else is an error (`cannot override services.s.healthcheck`), a
 * scalar base simply replaced. Paths where compose-go has a special merger that we do not reproduce (keys a build
 * never reads: `environment`, `networks`, `ulimits.*`, …) and `x-` extensions (newer compose-go replaces those)
 * keep the later value instead: a file Docker Compose accepts must never be rejected here.
 */
import { fail } from "../diagnostics";
import type { PlaceOf } from "./positions";
import { buildMapping, isMap, type PlainMap, type PlainValue } from "./raw";
import { PathTable, TreePath } from "./tree-path";
import { dict, hasOwn, own, emptyDict } from "../dict";
import { isKeptSshItem } from "./keep-ssh";
import { isKeptKeyItem } from "./keep-key-values";
import { isKeptContextItem } from "./keep-contexts";

/** Where each item of a merged list came from: the base's item, or the override's, by its index there. */
export interface ListItemOrigin {
  readonly from: "base" | "override";
  /** Its index in that side's list, or, made from a mapping's entry (`K=V`), that entry's key. */
  readonly index?: number;
  readonly key?: string;
}

/**
 * Told the origin of every item of each list merged from two lists (at its dotted path), so that positions can
 * follow the items: the merged list's item k is not the item k of either document (ListPositions, positions.ts).
 */
export type ListOrigins = (path: string, origins: readonly ListItemOrigin[]) => void;

interface MergeContext {
  readonly placeOf: PlaceOf;
  readonly lists?: ListOrigins;
}

const baseItem = (index: number): ListItemOrigin => ({ from: "base", index });
const overrideItem = (index: number): ListItemOrigin => ({ from: "override", index });

/** The origin of the `K=V` items a special merger made from one side: an index in a list, a key in a mapping. */
function originsOf(v: PlainValue, items: readonly string[], from: ListItemOrigin["from"]): ListItemOrigin[] {
  const list = Array.isArray(v);
  return items.map((item, i) => (list ? { from, index: i } : { from, key: keyOf(item) }));
}

/**
 * Merges `override` into `base`, returning a new value; neither input is changed. `lists` is told where the items
 * of every merged list came from.
 */
export function mergeDocuments(base: PlainMap, override: PlainMap, placeOf: PlaceOf, lists?: ListOrigins): PlainMap {
  return mergeValue(base, override, TreePath.root, { placeOf, lists }) as PlainMap;
}

function mergeValue(base: PlainValue | undefined, override: PlainValue, path: TreePath, m: MergeContext): PlainValue {
  if (base === undefined) return override;
  const special = MERGE_RULES.get(path);
  if (special) return special(base, override, path, m);
  if (override === null) return base;
  if (isMap(base)) {
    if (!isMap(override)) return mismatch(base, override, path, m);
    return mergeMappings(base, override, path, m);
  }
  if (Array.isArray(base)) {
    if (!Array.isArray(override)) return mismatch(base, override, path, m);
    m.lists?.(path.toString(), [...base.map((_, i) => baseItem(i)), ...override.map((_, j) => overrideItem(j))]);
    return [...base, ...override];
  }
  return override;
}

/** compose-go's `cannot override <path>`, except where its special mergers (or newer releases) accept the change. */
function mismatch(_base: PlainValue, override: PlainValue, path: TreePath, m: MergeContext): PlainValue {
  if (path.segments().some((k) => k.startsWith("x-")) || TOLERANT.get(path)) return override;
  fail("merge-type", `cannot override ${path}`, m.placeOf(path.toString()));
}

/**
 * Paths compose-go merges with a special rule that converts between forms (any of its releases), and that no
 * build reads, so we do not reproduce the rule: the later value wins there.
 */
const TOLERANT = new PathTable<true>([
  ...[
    "annotations",
    "command",
    "entrypoint",
    "healthcheck.test",
    "environment",
    "labels",
    "label_file",
    "env_file",
    "dns",
    "dns_opt",
    "dns_search",
    "extra_hosts",
    "sysctls",
    "tmpfs",
    "logging",
    "networks",
    "models",
    "ulimits.*",
    "deploy.labels",
    "volumes.*.volume.labels",
  ].flatMap((rest) => ["services", "jobs"].map((top): [string, true] => [`${top}.*.${rest}`, true])),
  ...["networks", "volumes", "secrets", "configs"].map((top): [string, true] => [`${top}.*.labels`, true]),
  ["networks.*.ipam.config", true],
]);

type Merger = (base: PlainValue, override: PlainValue, path: TreePath, m: MergeContext) => PlainValue;

/**
 * The special mergers, by path (compose-go override/merge.go's table, for the keys a build reads). Outside
 * `build`, the mergers whose result the schema can tell apart (a repeated item breaks `uniqueItems`, a partial
 * ulimit misses `hard`): lists of networks become mappings, extra hosts drop repeated items, an ulimit is replaced.
 * Everywhere else: mappings by key, sequences appended, scalars replaced (mergeValue).
 */
const MERGE_RULES = new PathTable<Merger>([
  ["services.*.build", mergeBuild],
  ["services.*.profiles", mergeUniqueList],
  ["services.*.depends_on", mergeDependsOn],
  ["services.*.networks", mergeNetworks],
  ["services.*.extra_hosts", mergeExtraHosts],
  ["services.*.ulimits.*", (_b, o) => o],
  ["services.*.build.args", mergeKeyValueLists],
  ["services.*.build.labels", mergeKeyValueLists],
  ["services.*.build.additional_contexts", mergeContextLists],
  ["services.*.build.extra_hosts", mergeExtraHosts],
  ["services.*.build.tags", mergeUniqueList],
  ["services.*.build.ssh", mergeSsh],
]);

/** `build: ./dir` is read as `{context: ./dir}` before merging (override_test.go:TestOverrideBuildContext). */
function mergeBuild(base: PlainValue, override: PlainValue, path: TreePath, m: MergeContext): PlainValue {
  if (override === null) return base;
  const b = buildMapping(base);
  const o = buildMapping(override);
  if (!isMap(b) || !isMap(o)) return override;
  return mergeMappings(b, o, path, m);
}

/**
 * args, labels, additional_contexts: both sides become `K=V` lists (a mapping in sorted key order, null as a
 * bare `K`), appended, then de-duplicated by key with a later item replacing the earlier one in place. In keep
 * mode, when an item's key is only known when bake runs (keep-key-values.ts), the later item instead stays after
 * every item before it (the earlier one is dropped), so that bake's "the last item of a key wins" is Compose's.
 */
function mergeKeyValueLists(base: PlainValue, override: PlainValue, path: TreePath, m: MergeContext): PlainValue {
  const b = toKeyValueList(base);
  const o = toKeyValueList(override);
  const items = [...b, ...o];
  const from = [...originsOf(base, b, "base"), ...originsOf(override, o, "override")];
  const keptKeys = items.some(isKeptKeyItem);
  const index = new Map<string, number>();
  const out: Array<string | undefined> = [];
  const origins: Array<ListItemOrigin | undefined> = [];
  items.forEach((item, i) => {
    const key = keyOf(item);
    const at = index.get(key);
    if (at === undefined || keptKeys) {
      if (at !== undefined) out[at] = origins[at] = undefined;
      index.set(key, out.length);
      out.push(item);
      origins.push(from[i]!);
    } else {
      out[at] = item;
      origins[at] = from[i]!;
    }
  });
  const present = (_: unknown, k: number) => out[k] !== undefined;
  m.lists?.(path.toString(), origins.filter(present) as ListItemOrigin[]);
  return out.filter(present) as string[];
}

/**
 * additional_contexts: as args, unless a side holds kept items (keep-contexts.ts), whose names are known only when
 * bake runs: then everything is appended, bake's map keeping the last entry of a name, and only a literal item
 * that a later literal item names again is dropped.
 */
function mergeContextLists(base: PlainValue, override: PlainValue, path: TreePath, m: MergeContext): PlainValue {
  const b = toKeyValueList(base);
  const o = toKeyValueList(override);
  const items = [...b, ...o];
  if (!items.some(isKeptContextItem)) return mergeKeyValueLists(base, override, path, m);
  const from = [...originsOf(base, b, "base"), ...originsOf(override, o, "override")];
  const last = new Map<string, number>();
  items.forEach((item, i) => {
    if (!isKeptContextItem(item)) last.set(keyOf(item), i);
  });
  const kept = (item: string, i: number) => isKeptContextItem(item) || last.get(keyOf(item)) === i;
  m.lists?.(
    path.toString(),
    from.filter((_, i) => kept(items[i]!, i)),
  );
  return items.filter(kept);
}

function toKeyValueList(v: PlainValue): string[] {
  if (Array.isArray(v)) return v.map((x) => scalarText(x));
  if (isMap(v)) {
    return Object.keys(v)
      .sort()
      .map((k) => (v[k] === null ? k : `${k}=${scalarText(v[k]!)}`));
  }
  return [];
}

function keyOf(item: string): string {
  const i = item.indexOf("=");
  return i < 0 ? item : item.slice(0, i);
}

/** Items of the override that equal a base item are dropped, the rest appended (several IPs per host are kept). */
function mergeExtraHosts(base: PlainValue, override: PlainValue, path: TreePath, m: MergeContext): PlainValue {
  const b = hostList(base);
  const seen = new Set(b);
  const o = hostList(override);
  const fromOverride = originsOf(override, o, "override");
  const kept = o.map((h, j) => [h, fromOverride[j]!] as const).filter(([h]) => !seen.has(h));
  m.lists?.(path.toString(), [...originsOf(base, b, "base"), ...kept.map(([, origin]) => origin)]);
  return [...b, ...kept.map(([h]) => h)];
}

function hostList(v: PlainValue): string[] {
  if (Array.isArray(v)) return v.map((x) => scalarText(x));
  if (isMap(v)) {
    const out: string[] = [];
    for (const k of Object.keys(v).sort()) {
      const ips = v[k];
      for (const ip of Array.isArray(ips) ? ips : [ips ?? ""]) out.push(`${k}=${scalarText(ip)}`);
    }
    return out;
  }
  return [];
}

/** `tags`, `profiles`: appended, a later duplicate replaces the earlier one at the earlier position. */
function mergeUniqueList(base: PlainValue, override: PlainValue, path: TreePath, m: MergeContext): PlainValue {
  if (Array.isArray(base) && override !== null && !Array.isArray(override)) return mismatch(base, override, path, m);
  const b = asList(base);
  const o = asList(override);
  // A single value (`profiles: x`) is its own place.
  const one = (v: PlainValue, i: number, from: ListItemOrigin["from"]): ListItemOrigin =>
    Array.isArray(v) ? { from, index: i } : { from };
  const from = [...b.map((_, i) => one(base, i, "base")), ...o.map((_, j) => one(override, j, "override"))];
  const out: PlainValue[] = [];
  const origins: ListItemOrigin[] = [];
  const seen = new Set<string>();
  [...b, ...o].forEach((item, i) => {
    const key = typeof item === "string" ? item : JSON.stringify(item);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(item);
    origins.push(from[i]!);
  });
  m.lists?.(path.toString(), origins);
  return out;
}

/**
 * compose-go turns `ssh` into a mapping (id → path) once a file is loaded (see canonicalizeSsh), so across files
 * entries merge by id and a later file's path wins. Otherwise there is no special merger: two lists (a service
 * extending another one of the same document) are appended, and a list meeting a mapping is an error
 * (`cannot override services.X.build.ssh`, compose-loading-reference.md §6.4; `!override` is the way out).
 */
function mergeSsh(base: PlainValue, override: PlainValue, path: TreePath, m: MergeContext): PlainValue {
  if (base === null || override === null) return override;
  if (Array.isArray(base) && Array.isArray(override)) {
    m.lists?.(path.toString(), [...base.map((_, i) => baseItem(i)), ...override.map((_, j) => overrideItem(j))]);
    return [...base, ...override];
  }
  if (isMap(base) && isMap(override)) {
    const out: PlainMap = emptyDict<PlainMap>();
    for (const [k, v] of Object.entries(base)) out[k] = v;
    // `{default: null}` over `{default: keys/id}` keeps the key: a null override keeps the base value.
    for (const [k, v] of Object.entries(override)) if (v !== null || !hasOwn(base, k)) out[k] = v;
    return out;
  }
  fail("merge-type", `cannot override ${path}`, m.placeOf(path.toString()));
}

/**
 * compose-go's canonical transform of a loaded file (transform/ssh.go): every `build.ssh` list becomes a mapping,
 * `default` → `{default: null}`, `id=path` → `{id: path}` (a repeated id keeps its last path). Applied in place to
 * the model after each file, and to a file reached through `extends`. A list holding anything else is left as it
 * is, for normalisation to report. In keep mode a list holding kept items (ids with references) is one group,
 * made by `keepGroup` (keep-ssh.ts).
 */
export function canonicalizeSsh(
  model: PlainMap,
  keepGroup?: (items: readonly string[], service: string) => PlainMap,
): void {
  if (!isMap(model.services)) return;
  for (const [name, service] of Object.entries(model.services)) {
    if (!isMap(service) || !isMap(service.build) || !Array.isArray(service.build.ssh)) continue;
    const items = service.build.ssh;
    const kept = keepGroup !== undefined && items.some(isKeptSshItem);
    if (
      !items.every((x) => typeof x === "string" && (x === "default" || x.includes("=") || (kept && isKeptSshItem(x))))
    )
      continue;
    if (kept) {
      service.build.ssh = keepGroup(items as string[], name);
      continue;
    }
    const out: PlainMap = emptyDict<PlainMap>();
    for (const item of items as string[]) {
      const i = item.indexOf("=");
      if (i < 0) out[item] = null;
      else out[item.slice(0, i)] = item.slice(i + 1);
    }
    service.build.ssh = out;
  }
}

/** `depends_on`: a list becomes a mapping (each name `{condition: service_started, required: true}`), then mappings merge. */
function mergeDependsOn(base: PlainValue, override: PlainValue, path: TreePath, m: MergeContext): PlainValue {
  const b = dependsOnMap(base);
  const o = dependsOnMap(override);
  if (!b || !o) return override;
  return mergeMappings(b, o, path, m);
}

/** `networks` (of a service): a list becomes a mapping of name → null, then mappings merge. */
function mergeNetworks(base: PlainValue, override: PlainValue, path: TreePath, m: MergeContext): PlainValue {
  const b = networksMap(base);
  const o = networksMap(override);
  if (!b || !o) return override;
  return mergeMappings(b, o, path, m);
}

function networksMap(v: PlainValue): PlainMap | undefined {
  return namesAsMapping(v, () => null);
}

function dependsOnMap(v: PlainValue): PlainMap | undefined {
  return namesAsMapping(v, () =>
    dict<PlainValue>([
      ["condition", "service_started"],
      ["required", true],
    ]),
  );
}

/** A mapping as it is, a list of names as a mapping of each name to `value()`; anything else undefined. */
function namesAsMapping(v: PlainValue, value: () => PlainValue): PlainMap | undefined {
  if (isMap(v)) return v;
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) return undefined;
  return dict((v as string[]).map((name) => [name, value()] as const));
}

/** compose-go's mergeMappings: the base's keys, each key of the override merged over the base's value. */
function mergeMappings(base: PlainMap, override: PlainMap, path: TreePath, m: MergeContext): PlainMap {
  const out: PlainMap = dict(Object.entries(base));
  for (const [k, v] of Object.entries(override)) out[k] = mergeValue(own(base, k), v, path.child(k), m);
  return out;
}

function asList(v: PlainValue): PlainValue[] {
  if (Array.isArray(v)) return v;
  if (v === null) return [];
  return [v];
}

function scalarText(v: PlainValue): string {
  if (v === null) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** Deletes each path (a key list) from `model`, in place: how `!reset` and `!override` clear earlier values. */
export function deletePaths(model: PlainMap, paths: readonly string[][]): void {
  for (const path of paths) {
    let node: PlainValue | undefined = model;
    for (let i = 0; i < path.length - 1 && node !== undefined; i++) {
      const key = path[i]!;
      // `build: ./dir` is `{context: ./dir}` to a `!reset` below it, as to a merge (mergeBuild).
      if (
        i === 2 &&
        key === "build" &&
        TreePath.of(...path.slice(0, 3)).matches("services.*.build") &&
        isMap(node) &&
        typeof own(node, "build") === "string"
      ) {
        node.build = buildMapping(own(node, "build")!);
      }
      if (isMap(node)) node = own(node, key);
      else if (Array.isArray(node)) node = node[Number(key)];
      else node = undefined;
    }
    const last = path[path.length - 1]!;
    if (isMap(node)) delete node[last];
  }
}
