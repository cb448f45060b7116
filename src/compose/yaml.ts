/**
 * Parses a Compose YAML file into plain data, one entry per YAML document, the way compose-go reads it
 * (../shared/docs/compose-loading-reference.md §1): YAML 1.2 core schema, anchors and aliases expanded,
 * `<<` merge keys applied (shallow; local keys win, earlier merged mappings win over later ones),
 * `!reset` / `!override` recorded by path, duplicate keys and non-string keys rejected.
 *
 * We walk the `yaml` package's node tree ourselves instead of calling `toJS()` so that we can
 * (a) record the source offset of every value by its dotted path for diagnostics,
 * (b) record the custom tags at every place an anchored node is used, and
 * (c) bound alias expansion the way compose-go does instead of by `yaml`'s alias count, which rejects
 *     ordinary files that merge one anchor into many services: a visit limit on the nodes as written (each
 *     anchored node counted once, however often it is used) and go-yaml's ratio of expanded to written nodes.
 */
import { Alias, isAlias, isMap, isScalar, isSeq, Lexer, parseAllDocuments, type Document, type Node, type Pair, type Scalar } from "yaml";
import { CompileError, SourceFile, fail, type SourcePos } from "../diagnostics";
import { goFloatText } from "./go-format";

/**
 * compose-go refuses documents with more nodes than this, counting each written value node and each alias
 * once (its reset/override pass caches every anchored node, so using an anchor again costs one visit).
 */
export const MAX_NODE_VISITS = 100_000;

/**
 * go-yaml's decoder stops "excessive aliasing": once more than 100 of more than 1,000 decoded nodes came
 * from alias expansion, the share that may come from aliases falls from 99% (up to 400,000 decoded nodes)
 * to 10% (from 4,000,000), linearly in between. This is what stops a billion-laughs bomb in compose-go.
 */
function allowedAliasRatio(decoded: number): number {
  const low = 400_000;
  const high = 4_000_000;
  if (decoded <= low) return 0.99;
  if (decoded >= high) return 0.1;
  return 0.99 - 0.89 * ((decoded - low) / (high - low));
}

/**
 * Limits of our own, so that no input can exhaust the stack, the heap or the user's patience (compose-go has
 * go-yaml's `exceeded max depth of 10000` and the visit limit above; docker compose 2.40.3 runs out of memory on
 * the inputs these stop). The `yaml` package needs about 1 KB of heap per node, so nodes are counted with its
 * lexer (a few MB of memory) before a document is built; nesting beyond MAX_DEPTH, whether written out or reached
 * through aliases, would overflow the stack of the walk below and of every later stage.
 */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_YAML_NODES = 4 * MAX_NODE_VISITS;
export const MAX_DEPTH = 1000;

/**
 * At most this many characters of scalars (keys and values) may come from expanding aliases, per document. The
 * node limits above count nodes, not their size: one 1 MB string aliased 2,000 times passes them and becomes a
 * 2 GB output (docker compose prints it). Reusing anchors the usual way (a few settings merged into many
 * services) stays far below; a file's own text is already capped at MAX_FILE_BYTES.
 */
export const MAX_ALIAS_EXPANSION_CHARS = 16 * 1024 * 1024;

export type PlainValue = null | string | number | boolean | PlainValue[] | PlainMap;
export interface PlainMap {
  [key: string]: PlainValue;
}

export interface ParsedDocument {
  readonly file: SourceFile;
  /** The document's top-level mapping (parseComposeYaml refuses an empty document; null is left for callers). */
  readonly value: PlainMap | null;
  /** Source position of every value (and of every key, under `<path>` when the value is absent), by dotted path. */
  readonly positions: DocumentPositions;
  /** Paths (as key lists, since keys may contain dots) tagged `!reset`; the key is already absent from `value`. */
  readonly resetPaths: string[][];
  /** Paths tagged `!override`; the value is kept. */
  readonly overridePaths: string[][];
}

const PARSE_OPTIONS = {
  version: "1.2",
  schema: "core",
  merge: true,
  uniqueKeys: false, // we report duplicates ourselves, with compose-go's wording and both lines
  strict: true,
  prettyErrors: false,
} as const;

export function parseComposeYaml(file: SourceFile): ParsedDocument[] {
  checkSize(file);
  const { docs, toOriginal } = parseLeniently(file.text);
  const result: ParsedDocument[] = [];
  const anchors = new StreamAnchors();
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const offset = toOriginal(e.pos[0]);
      // The yaml package reports a stack overflow while building deeply nested collections this way.
      if (e.code === "RESOURCE_EXHAUSTION") fail("yaml-too-deep", tooDeep(file), { file, offset });
      fail("yaml-syntax", `failed to parse ${file.path}: ${firstLine(e.message)}`, { file, offset });
    }
    anchors.add(doc);
    result.push(new DocumentWalker(file, doc, toOriginal, anchors).run());
  }
  return result;
}

/**
 * What every alias of a stream refers to. go-yaml's parser keeps one table of anchors for the whole stream, so an
 * alias may name an anchor of an earlier document (`---`); the last node anchored with the name before the alias,
 * in stream order, is the one it refers to, and an anchor defined again in a later document shadows it from there
 * on. (The yaml package resolves aliases within their own document only.)
 */
class StreamAnchors {
  /** Name → the last node anchored with it so far, in the documents added. */
  private readonly anchors = new Map<string, Node>();
  private readonly targets = new Map<Alias, Node>();
  /** The document (by index) of every anchored node. */
  private readonly documentOf = new Map<Node, number>();
  private documents = 0;

  /** Resolves the aliases of the next document, in document order (a node's anchor is known to its children). */
  add(doc: Document): void {
    const index = this.documents++;
    const stack: unknown[] = [doc.contents];
    while (stack.length > 0) {
      const item = stack.pop();
      if (isAlias(item)) {
        const target = this.anchors.get(item.source);
        if (target) this.targets.set(item, target);
        continue;
      }
      if (!isScalar(item) && !isMap(item) && !isSeq(item)) {
        // a Pair: its key, then its value
        const pair = item as Pair | null | undefined;
        if (pair && typeof pair === "object" && "key" in pair) stack.push(pair.value, pair.key);
        continue;
      }
      if (item.anchor) {
        this.anchors.set(item.anchor, item);
        this.documentOf.set(item, index);
      }
      if (isMap(item) || isSeq(item)) {
        for (let i = item.items.length - 1; i >= 0; i--) stack.push(item.items[i]);
      }
    }
  }

  resolve(alias: Alias): Node | undefined {
    return this.targets.get(alias);
  }

  /** Whether an anchored node belongs to a document before the last one added. */
  isFromEarlierDocument(node: Node): boolean {
    return (this.documentOf.get(node) ?? this.documents - 1) < this.documents - 1;
  }
}

/** How often parseLeniently mends and parses again before it reports the yaml package's errors as they are. */
const MAX_MENDING_ROUNDS = 4;

/**
 * go-yaml reads a quoted scalar up to its closing quote however its continuation lines are indented
 * (`A: "first` / `second"` at column 0, or at the key's column), where the yaml package ends it at the first
 * line indented no deeper than the scalar's parent and then reports a missing quote or a stray key. When a
 * file does not parse, the under-indented continuation lines of every quoted scalar cut short that way get
 * spaces in front (a quoted scalar's line breaks fold their leading white space away, so no value changes)
 * and the file is parsed again; `toOriginal` maps offsets in the parsed text back to the file's own.
 */
export function parseLeniently(text: string): { docs: Document[]; toOriginal: (offset: number) => number } {
  const added = new Map<number, number>(); // line start in `text` → spaces put in front of it
  let parsed = text;
  let toOriginal = (offset: number): number => offset;
  for (let round = 0; ; round++) {
    const docs = parseAllDocuments(parsed, PARSE_OPTIONS);
    const list = Array.isArray(docs) ? docs : [docs];
    if (round === MAX_MENDING_ROUNDS || list.every((d) => d.errors.length === 0)) return { docs: list, toOriginal };
    let changed = false;
    for (const start of cutQuotedScalars(parsed)) changed = mendContinuations(text, toOriginal(start), added) || changed;
    if (!changed) return { docs: list, toOriginal };
    ({ parsed, toOriginal } = withSpaces(text, added));
  }
}

/** Where the quoted scalars start that the yaml lexer ends before their closing quote (go-yaml reads on). */
function cutQuotedScalars(text: string): number[] {
  const starts: number[] = [];
  for (const { token, at, kind } of sourceTokens(text)) {
    if (kind !== "syntax" || (token[0] !== '"' && token[0] !== "'")) continue;
    const close = closingQuote(text, at);
    if (close !== undefined && close > at + token.length - 1) starts.push(at);
  }
  return starts;
}

/** The offset of the quote that closes the quoted scalar opening at `start`, as go-yaml finds it. */
function closingQuote(text: string, start: number): number | undefined {
  const quote = text[start]!;
  let end = start + 1;
  for (;;) {
    end = text.indexOf(quote, end);
    if (end < 0) return undefined;
    if (quote === "'") {
      if (text[end + 1] !== "'") return end;
      end += 2;
      continue;
    }
    let backslashes = 0;
    while (text[end - 1 - backslashes] === "\\") backslashes++;
    if (backslashes % 2 === 0) return end;
    end++;
  }
}

/**
 * Records in `added` the spaces that the continuation lines of the quoted scalar opening at `start` (in the
 * file's text) need to be indented deeper than the line it opens on; false when none needs more.
 */
function mendContinuations(text: string, start: number, added: Map<number, number>): boolean {
  const end = closingQuote(text, start);
  if (end === undefined) return false;
  const lineStart = text.lastIndexOf("\n", start) + 1;
  const need = leadingSpaces(text, lineStart) + 1;
  let changed = false;
  for (let nl = text.indexOf("\n", start); nl >= 0 && nl < end; nl = text.indexOf("\n", nl + 1)) {
    const line = nl + 1;
    const spaces = leadingSpaces(text, line);
    const next = text[line + spaces];
    const blank = next === undefined || next === "\n" || next === "\r";
    if (blank || spaces + (added.get(line) ?? 0) >= need) continue;
    added.set(line, need - spaces);
    changed = true;
  }
  return changed;
}

function leadingSpaces(text: string, at: number): number {
  let n = 0;
  while (text[at + n] === " ") n++;
  return n;
}

/** `text` with the spaces of `added` put in, and the map from offsets in the result back to `text`. */
function withSpaces(text: string, added: ReadonlyMap<number, number>): { parsed: string; toOriginal: (offset: number) => number } {
  const points = [...added].sort((a, b) => a[0] - b[0]);
  let parsed = "";
  let from = 0;
  for (const [at, count] of points) {
    parsed += text.slice(from, at) + " ".repeat(count);
    from = at;
  }
  parsed += text.slice(from);
  const toOriginal = (offset: number): number => {
    let shift = 0;
    for (const [at, count] of points) {
      if (offset < at + shift) break;
      if (offset < at + shift + count) return at; // inside the added spaces
      shift += count;
    }
    return offset - shift;
  };
  return { parsed, toOriginal };
}

function tooDeep(file: SourceFile): string {
  return `failed to parse ${file.path}: exceeded max depth of ${MAX_DEPTH}`;
}

/**
 * Counts the nodes (scalars, flow collections, aliases, documents) and the flow nesting of a file with the
 * `yaml` lexer, which stops early and keeps nothing, and refuses the file before a document is built from it.
 */
function checkSize(file: SourceFile): void {
  // The lexer costs about a fifth of a full parse; most files are far too small to need it.
  if (nodeCountBound(file.text) <= MAX_YAML_NODES) return;
  const { nodes, offset } = lexerNodeCount(file, MAX_YAML_NODES);
  if (nodes > MAX_YAML_NODES) {
    fail(
      "yaml-too-many-nodes",
      `compose file exceeds maximum node visit limit (${MAX_NODE_VISITS}): it has more than ${MAX_YAML_NODES} YAML nodes`,
      { file, offset },
    );
  }
}

/** The nodes the lexer finds, up to the first one past `limit` (and where that is); refuses deep flow nesting. */
export function lexerNodeCount(file: SourceFile, limit: number): { nodes: number; offset: number } {
  let nodes = 0;
  let flowDepth = 0;
  let offset = 0;
  for (const { token, at, kind } of sourceTokens(file.text)) {
    const c = token[0];
    if (kind === "marker") {
      if (c !== "\x18") nodes++; // a document or a plain or block scalar starts; not the end of a flow collection
    } else if (kind === "syntax") {
      if (c === "[" || c === "{") {
        nodes++;
        if (++flowDepth > MAX_DEPTH) fail("yaml-too-deep", tooDeep(file), { file, offset: at });
      } else if (c === "]" || c === "}") {
        flowDepth--;
      } else if (c === "*" || c === '"' || c === "'") {
        nodes++;
      }
    }
    if (kind !== "marker") offset = at + token.length;
    if (nodes > limit) break;
  }
  return { nodes, offset };
}

/**
 * The yaml lexer's tokens with their offsets in `text`. `kind` tells apart the markers the lexer inserts
 * (document start, flow end, plain or block scalar start), which are not source text; the text of a plain or
 * block scalar, which may start with any character; and the rest (indicators, quoted scalars, space).
 */
function* sourceTokens(text: string): Generator<{ token: string; at: number; kind: "marker" | "scalar" | "syntax" }> {
  let at = 0;
  let scalar = false;
  for (const token of new Lexer().lex(text)) {
    const c = token[0];
    if (c === "\x02" || c === "\x18" || c === "\x1f") {
      yield { token, at, kind: "marker" };
      scalar = c === "\x1f";
      continue;
    }
    yield { token, at, kind: scalar ? "scalar" : "syntax" };
    scalar = false;
    at += token.length;
  }
}

/**
 * An upper bound on what checkSize counts, without the lexer: every scalar, alias or quoted string it counts
 * starts a run of characters other than spaces, or is one of `,[]{}"'` (each counted on its own: a `,` is a
 * scalar in block context and a separator in flow context, and a quote can follow a run, as in `{"a":b}`). Nesting needs no check here: the yaml package reports a
 * too-deep document as RESOURCE_EXHAUSTION, and the walk enforces MAX_DEPTH.
 */
export function nodeCountBound(text: string): number {
  let count = 1;
  let inRun = false;
  for (let i = 0; i < text.length; i++) {
    switch (text.charCodeAt(i)) {
      case 0x5b: // [
      case 0x7b: // {
      case 0x5d: // ]
      case 0x7d: // }
      case 0x2c: // ,
      case 0x22: // "
      case 0x27: // '
        count++;
        inRun = false;
        break;
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
        inRun = false;
        break;
      default:
        if (!inRun) count++;
        inRun = true;
    }
  }
  return count;
}

function firstLine(message: string): string {
  const i = message.indexOf(" at line ");
  return (i >= 0 ? message.slice(0, i) : message.split("\n")[0]!).trim();
}

/**
 * A document's source positions by dotted path. Offsets are kept as numbers and a SourcePos is made when one is
 * asked for: a document has one per YAML value (84,000 in a 5,000-service file), and few are ever needed.
 */
export class DocumentPositions {
  constructor(
    private readonly file: SourceFile,
    private readonly offsets: ReadonlyMap<string, number>,
  ) {}

  get(path: string): SourcePos | undefined {
    const offset = this.offsets.get(path);
    if (offset === undefined) return undefined;
    return offset < 0 ? { file: this.file } : { file: this.file, offset };
  }
}

class DocumentWalker {
  /** Written nodes walked, for MAX_NODE_VISITS: nodes reached again through an alias are not counted. */
  private visits = 0;
  /** Nodes (keys included) produced, and how many of them came from expanding an alias, for allowedAliasRatio. */
  private decoded = 0;
  private decodedFromAliases = 0;
  /** Aliases being expanded right now: > 0 while walking a node a second time. */
  private expansionDepth = 0;
  /** Characters of scalars produced while expanding aliases, for MAX_ALIAS_EXPANSION_CHARS. */
  private expandedChars = 0;
  /** The same, without the `<<: *mapping` merges that compose-go hands to go-yaml as the mapping itself. */
  private aliasDecodeDepth = 0;
  /** Offset of every value by dotted path; -1 where only the file is known. */
  private readonly offsets = new Map<string, number>();
  private readonly resetPaths: string[][] = [];
  private readonly overridePaths: string[][] = [];
  /** Keys from the root to the node being walked. */
  private readonly keys: string[] = [];
  /** Anchored nodes being expanded right now, to detect an alias that refers to its own ancestor. */
  private readonly expanding: Array<{ node: Node; path: string; alias: Alias }> = [];
  /** Collections and aliases from the root to the node being walked. */
  private depth = 0;
  /**
   * Whether the nodes walked now count towards MAX_NODE_VISITS: the nodes as written, and those of an anchored
   * node of an earlier document the first time this document uses it (compose-go's reset pass runs per document,
   * and caches each anchored node once it has visited it); not nodes reached again through an alias.
   */
  private countingVisits = true;
  /** Anchored nodes of earlier documents that this document has used already. */
  private readonly usedFromEarlierDocuments = new Set<Node>();

  constructor(
    private readonly file: SourceFile,
    private readonly doc: Document,
    /** From offsets in the text the yaml package parsed to offsets in the file (see parseLeniently). */
    private readonly toOriginal: (offset: number) => number,
    private readonly anchors: StreamAnchors,
  ) {}

  run(): ParsedDocument {
    const root = this.doc.contents;
    // A document that is there but empty (`---` and nothing, a trailing `---`, `~`) is refused like any other
    // non-mapping, as docker compose does; a file with no document at all is the loader's "empty compose file".
    if (!isMap(root) && !(isAlias(root) && isMap(this.resolve(root)))) {
      fail("yaml-top-level", "top-level object must be a mapping", this.pos(root as Node | null));
    }
    const value = this.walk(root as Node, "") as PlainMap;
    return {
      file: this.file,
      value,
      positions: new DocumentPositions(this.file, this.offsets),
      resetPaths: this.resetPaths,
      overridePaths: this.overridePaths,
    };
  }

  private offsetOf(node: Node | null | undefined): number {
    return node?.range ? this.toOriginal(node.range[0]) : -1;
  }

  private pos(node: Node | null | undefined): SourcePos {
    return node?.range ? { file: this.file, offset: this.toOriginal(node.range[0]) } : { file: this.file };
  }

  /** `aliasDecoded`: false for the alias of a `<<: *mapping`, which compose-go hands go-yaml as the mapping. */
  private walk(node: Node, path: string, aliasDecoded = true): PlainValue {
    if (this.depth >= MAX_DEPTH) fail("yaml-too-deep", tooDeep(this.file), this.pos(node));
    this.depth++;
    try {
      return this.walkNode(node, path, aliasDecoded);
    } finally {
      this.depth--;
    }
  }

  /** The target of an alias, in this document or an earlier one of the stream (see StreamAnchors). */
  private resolve(alias: Alias): Node | undefined {
    return this.anchors.resolve(alias);
  }

  /** Counts one node produced by the walk, and refuses the document as go-yaml would once aliases dominate. */
  private countDecoded(node: Node | null | undefined): void {
    this.decoded++;
    if (this.aliasDecodeDepth > 0) this.decodedFromAliases++;
    if (
      this.decodedFromAliases > 100 &&
      this.decoded > 1000 &&
      this.decodedFromAliases / this.decoded > allowedAliasRatio(this.decoded)
    ) {
      // At the outermost alias being expanded, written in this document, rather than inside the anchored node
      // (which may belong to an earlier document).
      const at = this.expanding[0]?.alias ?? node;
      fail("yaml-excessive-aliasing", `failed to parse ${this.file.path}: document contains excessive aliasing`, this.pos(at));
    }
  }

  private walkNode(node: Node, path: string, aliasDecoded: boolean): PlainValue {
    if (this.countingVisits && ++this.visits > MAX_NODE_VISITS) {
      fail("yaml-too-many-nodes", `compose file exceeds maximum node visit limit (${MAX_NODE_VISITS})`, this.pos(node));
    }
    if (isAlias(node)) return this.walkAlias(node, path, aliasDecoded);
    this.countDecoded(node);
    this.offsets.set(path, this.offsetOf(node));
    if (isMap(node)) {
      const out: PlainMap = Object.create(null) as PlainMap;
      const written = new Map<string, number>(); // key → offset where it was written locally
      const merged: Array<Pair> = [];
      for (const pair of node.items as Pair[]) {
        this.countDecoded(pair.key as Node | null);
        if (isMergeKey(pair.key)) {
          merged.push(pair);
          continue;
        }
        const key = this.keyOf(pair, path);
        const keyNode = pair.key as Node | null;
        const previous = written.get(key);
        if (previous !== undefined) {
          const line = this.file.lineCol(this.toOriginal(keyNode?.range?.[0] ?? 0)).line;
          const prevLine = this.file.lineCol(previous).line;
          fail(
            "yaml-duplicate-key",
            `failed to parse ${this.file.path}: line ${line}: mapping key "${key}" already defined at line ${prevLine}`,
            this.pos(keyNode),
          );
        }
        written.set(key, this.toOriginal(keyNode?.range?.[0] ?? 0));
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
    if (isScalar(node)) {
      const value = (this.inBuildStringMap() && goNumberText(node)) || plainScalar(node);
      if (this.expansionDepth > 0 && typeof value === "string") this.countExpanded(value.length, node);
      return value;
    }
    return null;
  }

  /** Counts characters produced by alias expansion, and refuses the document past MAX_ALIAS_EXPANSION_CHARS. */
  private countExpanded(chars: number, node: Node | null | undefined): void {
    this.expandedChars += chars;
    if (this.expandedChars > MAX_ALIAS_EXPANSION_CHARS) {
      // At the alias being expanded (the outermost one: the one written where the value is used).
      fail(
        "yaml-alias-expansion",
        `failed to parse ${this.file.path}: aliases expand to more than ${MAX_ALIAS_EXPANSION_CHARS} characters`,
        this.pos(this.expanding[0]?.alias ?? node),
      );
    }
  }

  /** Walking a value of `services.<name>.build.args` or `.labels` (map form), where numbers become text. */
  private inBuildStringMap(): boolean {
    const k = this.keys;
    return k.length === 5 && k[0] === "services" && k[2] === "build" && (k[3] === "args" || k[3] === "labels");
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
        this.offsets.set(path, this.offsetOf(pair.key as Node | null));
        out[key] = null;
        return;
      }
      out[key] = this.walk(valueNode, path);
    } finally {
      this.keys.pop();
    }
  }

  /** Whether `target` (an alias's) is an anchored node of an earlier document used here for the first time. */
  private firstUseOfEarlierAnchor(target: Node): boolean {
    if (!this.anchors.isFromEarlierDocument(target) || this.usedFromEarlierDocuments.has(target)) return false;
    this.usedFromEarlierDocuments.add(target);
    return true;
  }

  /** `decodedAsAlias`: false for `<<: *mapping`, which compose-go resolves before go-yaml decodes it. */
  private walkAlias(alias: Alias, path: string, decodedAsAlias: boolean): PlainValue {
    const target = this.resolve(alias);
    if (!target) fail("yaml-unknown-anchor", `unknown anchor '${alias.source}' referenced`, this.pos(alias));
    const cycle = this.expanding.find((e) => e.node === target);
    if (cycle) {
      fail(
        "yaml-alias-cycle",
        `cycle detected: node at path ${path || "."} references node at path ${cycle.path || "."}`,
        this.pos(alias),
      );
    }
    const countingVisits = this.countingVisits;
    this.countingVisits = this.firstUseOfEarlierAnchor(target);
    this.expanding.push({ node: target, path, alias });
    this.expansionDepth++;
    if (decodedAsAlias) this.aliasDecodeDepth++;
    try {
      return this.walk(target, path);
    } finally {
      this.expanding.pop();
      this.expansionDepth--;
      if (decodedAsAlias) this.aliasDecodeDepth--;
      this.countingVisits = countingVisits;
    }
  }

  /** The mappings a `<<` value contributes, in priority order. */
  private mergeSources(value: Node | null, path: string): PlainMap[] {
    const items: Array<Node | null> = isSeq(value) ? (value.items as Array<Node | null>) : [value];
    const maps: PlainMap[] = [];
    for (const item of items) {
      const resolved = isAlias(item) ? this.resolve(item) : item;
      if (isSeq(resolved) && isAlias(item)) {
        // `<<: *alias-to-a-sequence-of-mappings`: compose-go hands go-yaml the sequence itself.
        const countingVisits = this.countingVisits;
        this.countingVisits = this.firstUseOfEarlierAnchor(resolved);
        this.expansionDepth++;
        try {
          maps.push(...this.mergeSources(resolved, path));
        } finally {
          this.expansionDepth--;
          this.countingVisits = countingVisits;
        }
        continue;
      }
      if (!isMap(resolved)) {
        fail("yaml-merge", `map merge requires map or sequence of maps as the value`, this.pos(item ?? undefined));
      }
      // `<<: *mapping`: compose-go hands go-yaml the mapping itself, so its nodes are not alias expansion there.
      maps.push(this.walk(item as Node, path, !(isAlias(item) && !isSeq(value))) as PlainMap);
    }
    return maps;
  }

  private keyOf(pair: Pair, path: string): string {
    const keyNode = pair.key as Node | null;
    let key: unknown = keyNode;
    if (isAlias(keyNode)) key = this.resolve(keyNode);
    if (isScalar(key) && typeof plainScalar(key) === "string") {
      const text = String(key.value);
      if (this.expansionDepth > 0 || isAlias(keyNode)) this.countExpanded(text.length, keyNode);
      return text;
    }
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

function goParseInt(s: string): number | undefined {
  const n = goParseBigInt(s);
  return n === undefined ? undefined : Number(n);
}

/**
 * A number in a build `args` or `labels` map as the text docker compose makes of it (go-format.ts): go-yaml
 * decodes `1.0` and `1e6` as floats and `12345678901234567890` as an exact uint64, all of which a JavaScript
 * number would blur. Undefined for anything but an untagged plain scalar that go-yaml reads as a number.
 */
function goNumberText(node: Scalar): string | undefined {
  const src = (node as { source?: unknown }).source;
  if (node.type !== "PLAIN" || node.tag !== undefined || typeof src !== "string") return undefined;
  const value = plainScalar(node);
  if (typeof value !== "number") return undefined;
  if (GO_YAML_SPECIAL.has(src)) return goFloatText(value);
  const int = goParseBigInt(src.replace(/_/g, ""));
  return int !== undefined ? int.toString() : goFloatText(value);
}

/** Go's strconv.ParseInt(s, 0, 64), then ParseUint(s, 0, 64): prefixes 0x, 0o, 0b, and a leading 0 for octal. */
function goParseBigInt(s: string): bigint | undefined {
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
  return n;
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
