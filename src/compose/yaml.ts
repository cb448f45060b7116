/**
 * Parses a Compose YAML file into plain data, one entry per YAML document, the way compose-go reads it
 * (../shared/docs/compose-loading-reference.md §1): YAML 1.2 core schema, anchors and aliases expanded,
 * `<<` merge keys applied (shallow; local keys win, earlier merged mappings win over later ones),
 * `!reset` / `!override` recorded by path, duplicate keys and non-string keys rejected.
 *
 * We walk the `yaml` package's node tree ourselves instead of calling `toJS()` so that we can
 * (a) record the source offset of every value by its dotted path for diagnostics,
 * (b) record the custom tags at every place an anchored node is used, and
 * (c) bound alias expansion by a node-visit limit like compose-go instead of `yaml`'s alias count,
 *     which rejects ordinary files that merge one anchor into many services.
 */
import { Alias, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node, type Pair, type Scalar } from "yaml";
import { CompileError, fail, type SourceFile, type SourcePos } from "../diagnostics";

/** compose-go refuses documents whose expansion visits more nodes than this. */
export const MAX_NODE_VISITS = 100_000;

export type PlainValue = null | string | number | boolean | PlainValue[] | PlainMap;
export interface PlainMap {
  [key: string]: PlainValue;
}

export interface ParsedDocument {
  readonly file: SourceFile;
  /** The document's top-level mapping; null for an empty document. */
  readonly value: PlainMap | null;
  /** Source position of every value (and of every key, under `<path>` when the value is absent), by dotted path. */
  readonly positions: Map<string, SourcePos>;
  /** Paths (as key lists, since keys may contain dots) tagged `!reset`; the key is already absent from `value`. */
  readonly resetPaths: string[][];
  /** Paths tagged `!override`; the value is kept. */
  readonly overridePaths: string[][];
}

export function parseComposeYaml(file: SourceFile): ParsedDocument[] {
  const docs = parseAllDocuments(file.text, {
    version: "1.2",
    schema: "core",
    merge: true,
    uniqueKeys: false, // we report duplicates ourselves, with compose-go's wording and both lines
    strict: true,
    prettyErrors: false,
  });
  const list = Array.isArray(docs) ? docs : [docs];
  const result: ParsedDocument[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      fail("yaml-syntax", `failed to parse ${file.path}: ${firstLine(e.message)}`, { file, offset: e.pos[0] });
    }
    result.push(new DocumentWalker(file, doc).run());
  }
  return result;
}

function firstLine(message: string): string {
  const i = message.indexOf(" at line ");
  return (i >= 0 ? message.slice(0, i) : message.split("\n")[0]!).trim();
}

class DocumentWalker {
  private visits = 0;
  private readonly positions = new Map<string, SourcePos>();
  private readonly resetPaths: string[][] = [];
  private readonly overridePaths: string[][] = [];
  /** Keys from the root to the node being walked. */
  private readonly keys: string[] = [];
  /** Anchored nodes being expanded right now, to detect an alias that refers to its own ancestor. */
  private readonly expanding: Array<{ node: Node; path: string }> = [];

  constructor(
    private readonly file: SourceFile,
    private readonly doc: Document,
  ) {}

  run(): ParsedDocument {
    const root = this.doc.contents;
    let value: PlainMap | null = null;
    if (root !== null && !(isScalar(root) && root.value === null)) {
      if (!isMap(root) && !(isAlias(root) && isMap(root.resolve(this.doc)))) {
        fail("yaml-top-level", "top-level object must be a mapping", this.pos(root as Node));
      }
      value = this.walk(root as Node, "") as PlainMap;
    }
    return {
      file: this.file,
      value,
      positions: this.positions,
      resetPaths: this.resetPaths,
      overridePaths: this.overridePaths,
    };
  }

  private pos(node: Node | null | undefined): SourcePos {
    return node?.range ? { file: this.file, offset: node.range[0] } : { file: this.file };
  }

  private walk(node: Node, path: string): PlainValue {
    if (++this.visits > MAX_NODE_VISITS) {
      fail("yaml-too-many-nodes", `compose file exceeds maximum node visit limit (${MAX_NODE_VISITS})`, this.pos(node));
    }
    if (isAlias(node)) return this.walkAlias(node, path);
    this.positions.set(path, this.pos(node));
    if (isMap(node)) {
      const out: PlainMap = Object.create(null) as PlainMap;
      const written = new Map<string, number>(); // key → offset where it was written locally
      const merged: Array<Pair> = [];
      for (const pair of node.items as Pair[]) {
        if (isMergeKey(pair.key)) {
          merged.push(pair);
          continue;
        }
        const key = this.keyOf(pair, path);
        const keyNode = pair.key as Node | null;
        const previous = written.get(key);
        if (previous !== undefined) {
          const line = this.file.lineCol(keyNode?.range?.[0] ?? 0).line;
          const prevLine = this.file.lineCol(previous).line;
          fail(
            "yaml-duplicate-key",
            `failed to parse ${this.file.path}: line ${line}: mapping key "${key}" already defined at line ${prevLine}`,
            this.pos(keyNode),
          );
        }
        written.set(key, keyNode?.range?.[0] ?? 0);
        this.setEntry(out, key, pair, joinPath(path, key));
      }
      // `<<` entries: a local key always wins; among merged mappings the first one to define a key wins.
      for (const pair of merged) {
        for (const source of this.mergeSources(pair.value as Node | null, path)) {
          for (const [key, value] of Object.entries(source)) {
            if (!(key in out)) out[key] = value;
          }
        }
      }
      return out;
    }
    if (isSeq(node)) {
      const out: PlainValue[] = [];
      node.items.forEach((item) => {
        const itemPath = joinPath(path, String(out.length));
        const itemNode = item as Node | null;
        // compose-go drops a `!reset` item from this document only; items of earlier files stay.
        if (itemNode && hasTag(itemNode, "!reset")) return;
        this.keys.push(String(out.length));
        try {
          out.push(itemNode === null ? null : this.walk(itemNode, itemPath));
        } finally {
          this.keys.pop();
        }
      });
      return out;
    }
    if (isScalar(node)) return plainScalar(node);
    return null;
  }

  private setEntry(out: PlainMap, key: string, pair: Pair, path: string): void {
    const valueNode = pair.value as Node | null;
    this.keys.push(key);
    try {
      if (valueNode && hasTag(valueNode, "!reset")) {
        this.resetPaths.push([...this.keys]);
        return;
      }
      if (valueNode && hasTag(valueNode, "!override")) this.overridePaths.push([...this.keys]);
      if (valueNode === null) {
        this.positions.set(path, this.pos(pair.key as Node | null));
        out[key] = null;
        return;
      }
      out[key] = this.walk(valueNode, path);
    } finally {
      this.keys.pop();
    }
  }

  private walkAlias(alias: Alias, path: string): PlainValue {
    const target = alias.resolve(this.doc) as Node | undefined;
    if (!target) fail("yaml-unknown-anchor", `unknown anchor '${alias.source}' referenced`, this.pos(alias));
    const cycle = this.expanding.find((e) => e.node === target);
    if (cycle) {
      fail(
        "yaml-alias-cycle",
        `cycle detected: node at path ${path || "."} references node at path ${cycle.path || "."}`,
        this.pos(alias),
      );
    }
    this.expanding.push({ node: target, path });
    try {
      return this.walk(target, path);
    } finally {
      this.expanding.pop();
    }
  }

  /** The mappings a `<<` value contributes, in priority order. */
  private mergeSources(value: Node | null, path: string): PlainMap[] {
    const items: Array<Node | null> = isSeq(value) ? (value.items as Array<Node | null>) : [value];
    const maps: PlainMap[] = [];
    for (const item of items) {
      const resolved = isAlias(item) ? (item.resolve(this.doc) as Node | undefined) : item;
      if (isSeq(resolved) && isAlias(item)) {
        // `<<: *alias-to-a-sequence-of-mappings`
        maps.push(...this.mergeSources(resolved, path));
        continue;
      }
      if (!isMap(resolved)) {
        fail("yaml-merge", `map merge requires map or sequence of maps as the value`, this.pos(item ?? undefined));
      }
      maps.push(this.walk(item as Node, path) as PlainMap);
    }
    return maps;
  }

  private keyOf(pair: Pair, path: string): string {
    const keyNode = pair.key as Node | null;
    let key: unknown = keyNode;
    if (isAlias(keyNode)) key = keyNode.resolve(this.doc);
    if (isScalar(key) && typeof plainScalar(key) === "string") return String(key.value);
    const shown = isScalar(key) ? String(key.value) : "a non-scalar";
    fail("yaml-non-string-key", `non-string key in ${path || "top level"}: ${shown}`, this.pos(keyNode));
  }
}

function isMergeKey(key: unknown): boolean {
  // With `merge: true` the yaml package marks a plain `<<` key with a symbol.
  if (!isScalar(key)) return false;
  return typeof key.value === "symbol" || (key.value === "<<" && (key.type === "PLAIN" || key.type === undefined));
}

function hasTag(node: Node, tag: string): boolean {
  return (node as { tag?: string }).tag === tag;
}

/**
 * A scalar's value. Untagged plain scalars that look like numbers are read the way go-yaml v3 (compose-go's
 * YAML decoder) reads them, which is not quite YAML 1.2: `0755` is octal (493), underscores are dropped
 * (`1_000` is 1000, `1_0.5` is 10.5), `0b101` is 5, `08` is the float 8. Everything else (booleans, nulls,
 * `.inf`, quoted and tagged scalars) is the YAML 1.2 core result. A date such as `2024-01-01` stays a string
 * (compose-go makes it a time.Time, which its schema then rejects outside `x-*` keys).
 */
function plainScalar(node: Scalar): PlainValue {
  const src = (node as { source?: unknown }).source;
  if (node.type !== "PLAIN" || node.tag !== undefined || typeof src !== "string" || src === "") return scalarValue(node.value);
  const first = src[0]!;
  const hint = first === "+" || first === "-" ? "S" : first >= "0" && first <= "9" ? "D" : first === "." ? "." : "";
  if (hint === "" || GO_YAML_SPECIAL.has(src)) return scalarValue(node.value);
  if (hint === ".") return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(src) ? Number(src) : src;
  const plain = src.replace(/_/g, "");
  const int = goParseInt(plain);
  if (int !== undefined) return int;
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return f;
  }
  return src;
}

/** Plain scalars go-yaml looks up in a table (the same values as the YAML 1.2 core schema gives). */
const GO_YAML_SPECIAL = new Set([".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"]);

/** Go's strconv.ParseInt(s, 0, 64), then ParseUint(s, 0, 64): prefixes 0x, 0o, 0b, and a leading 0 for octal. */
function goParseInt(s: string): number | undefined {
  const m = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/.exec(s);
  if (!m) return undefined;
  let n: bigint;
  if (m[2] !== undefined) n = BigInt(`0x${m[2]}`);
  else if (m[3] !== undefined) n = BigInt(`0o${m[3]}`);
  else if (m[4] !== undefined) n = BigInt(`0b${m[4]}`);
  else if (m[5] !== undefined) n = m[5] === "" ? 0n : BigInt(`0o${m[5]}`);
  else n = BigInt(m[6]!);
  if (m[1] === "-") n = -n;
  if (n < -(2n ** 63n) || n > 2n ** 64n - 1n) return undefined;
  return Number(n);
}

function scalarValue(v: unknown): PlainValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return String(v);
}

export function joinPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** Re-export for callers that catch parse failures. */
export { CompileError };
