/**
 * `extends` (compose-loading-reference.md §10): a service inherits another service's definition, from the
 * same document or from another file, merged with the override-file rules (base = the extended service,
 * override = the local definition; `!reset`/`!override` apply). Chains are followed; cycles are errors.
 * A file reached through `extends` is read raw: interpolated with the same environment, its own same-file
 * extends resolved, relative paths resolved from its own folder, no includes and no defaults — so a build
 * without a context gets the *extending* project's folder later, as in compose-go.
 */
import * as path from "../platform/path";
import { fail, type SourcePos } from "../diagnostics";
import { canonicalizeSsh, deletePaths, mergeDocuments, type ListOrigins } from "./merge";
import type { ExtendedPositions, PlaceOf } from "./positions";
import type { PositionTable } from "./model";
import { isMap } from "./raw";
import { expandUser, resolveRawServicePaths } from "./paths";
import type { KeepPath } from "./keep-path";
import type { PlainMap, PlainValue } from "./yaml";
import { dict, hasOwn, own, emptyDict } from "../dict";

/** A file reached through `extends`: its documents merged, and the paths they tag `!reset` / `!override`. */
export interface RawFile {
  readonly model: PlainMap;
  readonly tagPaths: readonly string[][];
  /** Its documents' positions, later ones winning, over those its own extends give. */
  readonly positions: PositionTable;
  readonly extended: ExtendedPositions;
  readonly lists: ListOrigins;
}

export interface ExtendsContext {
  readonly home: string;
  /** The positions of the document (or extended file) the services come from, and where its extends place values. */
  readonly positions?: PositionTable;
  readonly extended?: ExtendedPositions;
  /** Told where the items of the lists an extends merges came from (under the extending service's path). */
  readonly lists?: ListOrigins;
  /** Keep mode: how a path holding kept references is kept, with the extended file's folder (keep-path.ts). */
  readonly keepPath?: KeepPath;
  /** Keep mode: an ssh list holding kept items as one group (keep-ssh.ts). */
  readonly keepSshGroup?: (items: readonly string[], service: string) => PlainMap;
  /** Keep mode: compose-go's canonical transform of contexts lists holding kept items (keep-contexts.ts). */
  readonly keepContexts?: (model: PlainMap) => void;
  /** Folder that `extends.file` resolves from (the project or include folder, or the extended file's folder). */
  readonly resourceDir: string;
  /** Absolute path of the file the services come from, for messages. */
  readonly file: string;
  readonly placeOf: PlaceOf;
  /** Reads another file raw: parsed and interpolated documents merged into one mapping. */
  /** The file at `file`, named by the `extends` at `place`. */
  readonly readRaw: (file: string, place: SourcePos | undefined) => RawFile;
  /** `!reset` / `!override` paths of the document the services come from. */
  readonly tagPaths: readonly string[][];
}

/**
 * How long a chain of `extends` may be (a service extending a service extending a service…, across files or
 * not). compose-go has no limit; ours keeps the recursive resolution far from the end of the stack, far above
 * real projects (README "Limits").
 */
export const MAX_EXTENDS_DEPTH = 100;

/**
 * Returns `services` with every `extends` resolved and removed (only `only`, when given). `trail` lists the
 * services being resolved further up (`name in file`), to report cycles across files.
 */
export function resolveExtends(
  services: PlainMap,
  ctx: ExtendsContext,
  trail: readonly string[] = [],
  only?: string,
): PlainMap {
  const out: PlainMap = emptyDict<PlainMap>();
  // Services resolved here → how many services their chain has below them in this file, so that the limit does
  // not depend on the order the services are written in.
  const below = new Map<string, number>();
  const resolve = (name: string, upstream: readonly string[]): PlainValue => {
    if (hasOwn(out, name)) return out[name]!;
    const here = `${name} in ${ctx.file}`;
    if (upstream.includes(here)) cycle([...upstream, here], ctx.placeOf(`services.${name}.extends`));
    const service = own(services, name);
    if (!isMap(service) || service.extends === undefined || service.extends === null) {
      out[name] = service ?? null;
      below.set(name, 0);
      return out[name]!;
    }
    const where = `services.${name}.extends`;
    const { service: baseName, file } = parseExtends(service.extends, name, where, ctx);
    const tooLong = (): never =>
      fail(
        "extends-too-deep",
        `cannot extend service "${name}" in ${ctx.file}: extends chain is longer than ${MAX_EXTENDS_DEPTH} services`,
        ctx.placeOf(where),
      );
    if (upstream.length >= MAX_EXTENDS_DEPTH) tooLong();
    const next = [...upstream, here];
    let base: PlainValue;
    if (file === undefined) {
      if (!hasOwn(services, baseName)) {
        fail(
          "extends-not-found",
          `cannot extend service "${name}" in ${ctx.file}: service "${baseName}" not found`,
          ctx.placeOf(where),
        );
      }
      base = resolve(baseName, next);
      if (ctx.positions) ctx.extended?.set(name, `services.${baseName}`, ctx.positions);
      below.set(name, (below.get(baseName) ?? 0) + 1);
      if (upstream.length + below.get(name)! > MAX_EXTENDS_DEPTH) tooLong();
    } else {
      below.set(name, 1);
      const abs = path.resolve(ctx.resourceDir, expandUser(file, ctx.home));
      const raw = ctx.readRaw(abs, ctx.placeOf(where));
      const other = isMap(raw.model.services) ? raw.model.services : emptyDict<PlainMap>();
      if (!hasOwn(other, baseName)) {
        fail(
          "extends-not-found",
          `cannot extend service "${name}" in ${ctx.file}: service "${baseName}" not found in ${file}`,
          ctx.placeOf(where),
        );
      }
      const dir = path.dirname(abs);
      // Its own `!reset` / `!override` tags apply to its own extends (a base that resets what it extends).
      const resolved = resolveExtends(
        other,
        {
          ...ctx,
          resourceDir: dir,
          file: abs,
          tagPaths: raw.tagPaths,
          placeOf: (p) => raw.positions.get(p),
          positions: raw.positions,
          extended: raw.extended,
          lists: raw.lists,
        },
        next,
        baseName,
      );
      ctx.extended?.set(name, `services.${baseName}`, raw.positions);
      // That file was loaded as a file of its own: canonical, so its ssh list is already a mapping, made from the
      // items as written (keep mode's checks compare them so), on a copy: every service extending it shares it.
      const found = resolved[baseName]!;
      const canonical: PlainValue =
        isMap(found) && isMap(found.build) ? { ...found, build: { ...found.build } } : found;
      const doc = dict([["services", dict([[baseName, canonical]])]]);
      canonicalizeSsh(doc, ctx.keepSshGroup);
      ctx.keepContexts?.(doc);
      refuseEmptyContextNames(name, service, canonical, baseName, raw, ctx.tagPaths);
      // Relative paths of the extended file are its own; a missing context is left for the top-level default.
      base = resolveRawServicePaths(
        canonical,
        { workingDir: dir, home: ctx.home, keepPath: ctx.keepPath },
        { defaultContext: false },
      ) as PlainValue;
    }
    const local: PlainMap = emptyDict<PlainMap>();
    for (const [k, v] of Object.entries(service)) if (k !== "extends") local[k] = v;
    out[name] = mergeService(name, base, local, ctx);
    return out[name]!;
  };
  for (const name of only !== undefined ? [only] : Object.keys(services)) resolve(name, trail);
  if (only === undefined) return out;
  return dict([...Object.entries(services), ...Object.entries(out)]);
}

/**
 * A service read from another file is canonical, its additional-contexts list a mapping: an item with an empty
 * name (`=./x`, `${N}=./x` with N empty) is the key '' there, which the schema refuses when the extending document
 * is validated, unless the extending service writes the key itself (then the merge gives a list, as written) or
 * tags it `!reset`/`!override` (fuzz resolve seed 9700). In keep mode a list holding kept items is made of tokens by
 * now, and checked as bake runs (keep-contexts-canonical.ts); a literal one is checked here as in `--resolve`.
 */
function refuseEmptyContextNames(
  name: string,
  local: PlainMap,
  base: PlainValue,
  baseName: string,
  raw: RawFile,
  tagPaths: readonly string[][],
): void {
  const list = isMap(base) && isMap(base.build) ? base.build.additional_contexts : undefined;
  if (!Array.isArray(list)) return;
  if (isMap(local.build) && hasOwn(local.build, "additional_contexts")) return;
  const at = ["services", name, "build", "additional_contexts"];
  if (tagPaths.some((p) => p.length >= 2 && p.length <= at.length && p.every((k, j) => k === at[j]))) return;
  const i = list.findIndex((item) => typeof item === "string" && item.startsWith("="));
  if (i < 0) return;
  fail(
    "schema",
    `services.${name}.build.additional_contexts additional properties '' not allowed`,
    raw.positions.get(`services.${baseName}.build.additional_contexts.${i}`),
  );
}

/** The service name compose-go merges an extended service under. */
const EXTENDED = "x";

function mergeService(name: string, base: PlainValue, local: PlainMap, ctx: ExtendsContext): PlainValue {
  const { tagPaths, placeOf, lists } = ctx;
  if (!isMap(base)) return local;
  // compose-go merges an extended service under the path `services.x` (override.ExtendService), so its merge
  // errors say `cannot override services.x.build.ssh`; ours say the same and point into the local definition,
  // whose paths are those of the document being loaded.
  const baseDoc = dict<PlainValue>([["services", dict([[EXTENDED, deepCopy(base)]])]]);
  deletePaths(
    baseDoc,
    tagPaths
      .filter((p) => p[0] === "services" && p[1] === name && p.length > 2)
      .map((p) => ["services", EXTENDED, ...p.slice(2)]),
  );
  const localDoc = dict<PlainValue>([["services", dict<PlainValue>([[EXTENDED, local]])]]);
  const prefix = `services.${EXTENDED}`;
  const ours = (at: string) =>
    at === prefix || at.startsWith(prefix + ".") ? `services.${name}${at.slice(prefix.length)}` : at;
  const merged = mergeDocuments(
    baseDoc,
    localDoc,
    (at) => placeOf(ours(at)),
    lists && ((at, origins) => lists(ours(at), origins)),
  );
  const result = (merged.services as PlainMap)[EXTENDED]!;
  if (isMap(result)) delete result.extends;
  return result;
}

function parseExtends(
  raw: PlainValue,
  name: string,
  where: string,
  ctx: ExtendsContext,
): { service: string; file?: string } {
  if (typeof raw === "string") return { service: raw };
  if (!isMap(raw)) fail("schema", `${where} must be a mapping or string`, ctx.placeOf(where));
  if (typeof raw.service !== "string" || raw.service === "") {
    fail("schema", `extends.${name}.service is required`, ctx.placeOf(where));
  }
  if (raw.file !== undefined && raw.file !== null && typeof raw.file !== "string") {
    fail("schema", `${where}.file must be a string`, ctx.placeOf(`${where}.file`));
  }
  return { service: raw.service, file: typeof raw.file === "string" ? raw.file : undefined };
}

function cycle(trail: readonly string[], pos: SourcePos | undefined): never {
  fail("extends-cycle", `Circular reference: ${trail.join(" extends ")}`, pos);
}

/** A deep copy that keeps mappings null-prototype (structuredClone would give them Object.prototype). */
function deepCopy(v: PlainValue): PlainValue {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isMap(v)) return dict(Object.entries(v).map(([k, x]) => [k, deepCopy(x)] as const));
  return v;
}
