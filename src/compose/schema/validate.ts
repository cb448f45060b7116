/**
 * Validates a (merged) Compose model against the Compose specification schema, as compose-go does after each file
 * (compose-loading-reference.md §0 step 8, §13.1), and reports what is wrong with compose-go's wording.
 *
 * The checking is ajv's standalone code, generated at build time from the vendored schema (compose-spec.json,
 * compose-go v2.10.0: the schema of Docker Compose 2.40.3 plus `build.no_cache_filter`) by
 * scripts/build-schema.js. compose-go reports one error, the "most specific" leaf of santhosh-tekuri/jsonschema's
 * error tree (schema/schema.go getMostSpecificError): the deepest instance path wins, an `additionalProperties`
 * error counts one level deeper, and on a tie the first one in schema order wins (so `args: 5` reads "must be a
 * mapping": the `oneOf` tries the mapping branch first). We list every problem at once instead: ajv's flat error
 * list is turned back into that tree (the schema has its `$ref`s inlined, so an error's schemaPath says which
 * `oneOf` branch it comes from), each `oneOf` keeps the branch that holds its most specific error, and every
 * failing location of what is left is reported, with the most specific error there. compose-go's one error is
 * always among them.
 */
import { CompileError, sortDiagnostics, type Diagnostic } from "../../diagnostics";
import type { PositionTable } from "../model";
import { isMap, type PlainMap } from "../raw";
import { schemaPlaces, validate as generated } from "./compose-spec.generated";
import { message, type Leaf } from "./messages";
import { KeyPositions, position } from "./places";
import { schemaView } from "./unicity";
import { emptyDict } from "../../dict";

interface AjvError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
}

type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
const validateSpec = generated as unknown as Validator;

/** Keywords that must all hold: the root, and each `oneOf` branch. */
interface Conjunction {
  readonly children: Array<Leaf | Disjunction>;
  /** Its `oneOf` children by id (a list of 100,000 failing items must not be searched for each error). */
  byId?: Map<string, Disjunction>;
}

/** A failed `oneOf`: its failing branches by index. */
interface Disjunction {
  readonly kind: "oneOf";
  readonly id: string;
  /** Indexed by branch number; a branch that passed (or was pruned) is absent. */
  readonly branches: Array<Conjunction | undefined>;
}

/**
 * Checks `model` (a whole merged Compose model) against the schema and throws a CompileError listing every
 * problem, sorted by position; returns when it is valid.
 */
export function validateComposeModel(model: PlainMap, positions: PositionTable): void {
  const diagnostics = schemaDiagnostics(model, positions);
  if (diagnostics.length > 0) throw new CompileError(diagnostics);
}

/**
 * After a document is merged: checks the part of the merged `model` that `document` (the document as merged,
 * includes and extends applied) touched. compose-go checks the whole merged model after each document; what the
 * document did not touch was checked, unchanged, after an earlier one, and the schema has no rule across
 * resources, so the result is the same, in time linear in the files (a file of 5,000 one-service documents
 * would otherwise be checked 5,000 times over).
 */
export function validateMergedDocument(model: PlainMap, document: PlainMap, positions: PositionTable): void {
  const part: PlainMap = emptyDict<PlainMap>();
  for (const key of Object.keys(document)) {
    if (!(key in model)) continue;
    const merged = model[key]!;
    const written = document[key]!;
    if (RESOURCES.has(key) && isMap(merged) && isMap(written)) {
      const names: PlainMap = emptyDict<PlainMap>();
      for (const name of Object.keys(written)) if (name in merged) names[name] = merged[name]!;
      part[key] = names;
    } else {
      part[key] = merged;
    }
  }
  validateComposeModel(part, positions);
}

const RESOURCES = new Set(["services", "networks", "volumes", "secrets", "configs", "models"]);

/** The schema errors of `model`, one per failing location, sorted by position; empty when it is valid. */
export function schemaDiagnostics(model: PlainMap, positions: PositionTable): Diagnostic[] {
  const view = schemaView(model);
  if (validateSpec(view)) return [];
  const tree = buildTree(validateSpec.errors ?? []);
  const byLocation = new Map<string, Leaf>();
  for (const leaf of problems(tree)) {
    const key = leaf.path.join("\u0000");
    const current = byLocation.get(key);
    if (current === undefined || specificity(leaf) > specificity(current)) byLocation.set(key, leaf);
  }
  const keys = new KeyPositions();
  const out = [...byLocation.values()].map((leaf): Diagnostic => ({
    severity: "error",
    code: "schema",
    message: message(leaf, view),
    pos: position(leaf, positions, keys),
  }));
  return sortDiagnostics(out);
}

// ---------------------------------------------------------------------------------------------------------------
// From ajv's flat list back to the error tree
// ---------------------------------------------------------------------------------------------------------------

function buildTree(errors: readonly AjvError[]): Conjunction {
  const root: Conjunction = { children: [] };
  const leaves = new Map<string, Leaf>();
  const stopped = new Map<string, string>(); // node → the keyword that stopped it (type, then enum)
  for (const e of errors) {
    const route = schemaRoute(e.schemaPath, e.instancePath);
    // A `oneOf` error only sums up its branches, which are in the list too; unless several branches matched.
    if (e.keyword === "oneOf" && !Array.isArray(e.params.passingSchemas)) continue;
    if (e.keyword === "type" || e.keyword === "enum") {
      // jsonschema stops at a failed type (then enum): nothing else of that schema object is reported.
      if (!stopped.has(route.node) || e.keyword === "type") stopped.set(route.node, e.keyword);
    }
    const mergeKey = `${route.node}\u0000${e.keyword}`;
    const names =
      e.keyword === "additionalProperties"
        ? [String(e.params.additionalProperty)]
        : e.keyword === "required"
          ? [String(e.params.missingProperty)]
          : [];
    const existing = leaves.get(mergeKey);
    if (existing && (e.keyword === "additionalProperties" || e.keyword === "required")) {
      existing.names.push(...names);
      continue;
    }
    const leaf: Leaf = {
      kind: "leaf",
      path: pointerSegments(e.instancePath),
      keyword: e.keyword,
      node: route.node,
      params: e.params,
      names,
    };
    leaves.set(mergeKey, leaf);
    let conj = root;
    for (const choice of route.choices) {
      let disj = conj.byId?.get(choice.id);
      if (!disj) {
        disj = { kind: "oneOf", id: choice.id, branches: [] };
        conj.children.push(disj);
        (conj.byId ??= new Map()).set(choice.id, disj);
      }
      let branch = disj.branches[choice.branch];
      if (!branch) disj.branches[choice.branch] = branch = { children: [] };
      conj = branch;
    }
    conj.children.push(leaf);
  }
  return prune(root, stopped);
}

/** Drops what jsonschema never reports: other keywords of a schema object whose type (or enum) failed. */
function prune(conj: Conjunction, stopped: ReadonlyMap<string, string>): Conjunction {
  const children: Array<Leaf | Disjunction> = [];
  for (const c of conj.children) {
    if (c.kind === "leaf") {
      const stop = stopped.get(c.node);
      if (stop === undefined || stop === c.keyword) children.push(c);
      continue;
    }
    // The `oneOf` of a schema object whose type failed is not evaluated either.
    if (stopped.has(c.id.replace("o@", "@"))) continue;
    const branches: Array<Conjunction | undefined> = [];
    let any = false;
    c.branches.forEach((b, i) => {
      const pruned = prune(b!, stopped);
      if (pruned.children.length > 0) {
        branches[i] = pruned;
        any = true;
      }
    });
    if (any) children.push({ ...c, branches });
  }
  return { children };
}

interface Route {
  /** The schema object (schemaPath without the keyword) and the instance location it applied to. */
  readonly node: string;
  /** Every `oneOf` on the way, with the branch taken. */
  readonly choices: ReadonlyArray<{ readonly id: string; readonly branch: number }>;
}

/** A schemaPath read once: its schema object, and each `oneOf` with the instance depth it checked. */
interface ParsedSchemaPath {
  readonly at: string;
  readonly oneOfs: ReadonlyArray<{ readonly at: string; readonly depth: number; readonly branch: number }>;
}

/** ajv's errors share a few hundred schemaPaths: each is read once per run. */
const parsedSchemaPaths = new Map<string, ParsedSchemaPath>();

/**
 * Reads a schemaPath of the inlined schema (`#/properties/services/patternProperties/<re>/properties/build/
 * oneOf/1/additionalProperties`), stepping through the instance path as `properties`, `patternProperties` and
 * `items` do, to name each `oneOf` by its schema place and the instance location it checked.
 */
function schemaRoute(schemaPath: string, instancePath: string): Route {
  let parsed = parsedSchemaPaths.get(schemaPath);
  if (!parsed) parsedSchemaPaths.set(schemaPath, (parsed = parseSchemaPath(schemaPath)));
  return {
    node: `${parsed.at}@${instancePath}`,
    choices: parsed.oneOfs.map((o) => ({ id: `${o.at}@${instancePrefix(instancePath, o.depth)}`, branch: o.branch })),
  };
}

/**
 * Schema places as short numbers, so the keys built for each of (possibly) 100,000 errors stay short; a
 * `oneOf` is numbered as its schema object's place plus "o" (see prune).
 */
const places = new Map<string, string>();
function place(at: string): string {
  let n = places.get(at);
  if (n === undefined) places.set(at, (n = String(places.size)));
  return n;
}

/** The path in the inlined schema: `s12#/x` is subschema s12's place followed by `/x` (see build-schema.js). */
function inlinedSchemaPath(schemaPath: string): string {
  const hash = schemaPath.indexOf("#");
  if (hash <= 0) return schemaPath;
  const places = schemaPlaces as Readonly<Record<string, string>>;
  return places[schemaPath.slice(0, hash)]! + schemaPath.slice(hash + 1);
}

function parseSchemaPath(relative: string): ParsedSchemaPath {
  const schemaPath = inlinedSchemaPath(relative);
  const segments = schemaPath.replace(/^#\/?/, "").split("/");
  const oneOfs: Array<{ at: string; depth: number; branch: number }> = [];
  let depth = 0;
  let at = "#";
  for (let i = 0; i < segments.length - 1;) {
    const keyword = segments[i]!;
    if (keyword === "properties" || keyword === "patternProperties") {
      at += `/${keyword}/${segments[i + 1]}`;
      i += 2;
      depth++;
    } else if (keyword === "items" || keyword === "additionalProperties") {
      at += `/${keyword}`;
      i += 1;
      depth++;
    } else if (keyword === "oneOf") {
      oneOfs.push({ at: `${place(at)}o`, depth, branch: Number(segments[i + 1]) });
      at += `/oneOf/${segments[i + 1]}`;
      i += 2;
    } else {
      // Not written by ajv for the keywords build-schema.js allows; keep the error, outside any oneOf.
      return { at: place(schemaPath), oneOfs: [] };
    }
  }
  return { at: place(at), oneOfs };
}

/** The first `depth` reference tokens of a JSON pointer, as a pointer. */
function instancePrefix(pointer: string, depth: number): string {
  let end = 0;
  for (let d = 0; d < depth; d++) {
    const next = pointer.indexOf("/", end + 1);
    if (next < 0) return pointer;
    end = next;
  }
  return depth === 0 ? "" : pointer.slice(0, end);
}

/** A JSON pointer's reference tokens. */
function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

// ---------------------------------------------------------------------------------------------------------------
// Selection (schema/schema.go getMostSpecificError, extended to every independent problem)
// ---------------------------------------------------------------------------------------------------------------

function specificity(leaf: Leaf): number {
  return leaf.path.length + (leaf.keyword === "additionalProperties" ? 1 : 0);
}

function maxSpecificity(node: Conjunction | Disjunction): number {
  let best = -1;
  const children = "children" in node ? node.children : node.branches.filter((b): b is Conjunction => b !== undefined);
  for (const c of children)
    best = Math.max(best, "kind" in c && c.kind === "leaf" ? specificity(c) : maxSpecificity(c));
  return best;
}

/** Every leaf that holds on its own: all of a conjunction, the chosen branch of each `oneOf`. */
function problems(conj: Conjunction): Leaf[] {
  const out: Leaf[] = [];
  for (const c of conj.children) {
    if (c.kind === "leaf") {
      out.push(c);
      continue;
    }
    // The first branch (in schema order) holding the most specific error, as getMostSpecificError finds it.
    let chosen: Conjunction | undefined;
    let best = -1;
    for (const branch of c.branches) {
      if (branch === undefined) continue;
      const s = maxSpecificity(branch);
      if (s > best) {
        best = s;
        chosen = branch;
      }
    }
    if (chosen) out.push(...problems(chosen));
  }
  return out;
}
