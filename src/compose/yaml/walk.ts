/**
 * From a document's node tree to plain values, the way compose-go reads them: anchors and aliases expanded,
 * `<<` merge keys applied (shallow; local keys win, earlier merged mappings win over later ones), `!reset` /
 * `!override` recorded by path, duplicate and non-string keys refused, and alias expansion bounded the way
 * compose-go bounds it rather than by the `yaml` package's alias count (which rejects ordinary files that merge
 * one anchor into many services): a visit limit on the nodes as written (each anchored node counted once, however
 * often it is used), go-yaml's ratio of expanded to written nodes, and a cap on expanded characters. Every value's
 * source offset is recorded by its dotted path, for diagnostics.
 */
import { fail, type SourceFile, type SourcePos } from "../../diagnostics";
import { MAX_ALIAS_EXPANSION_CHARS, MAX_DEPTH, MAX_NODE_VISITS, allowedAliasRatio, tooDeep } from "./limits";
import { goNumberText, goScalar } from "./scalars";
import {
  ALIAS,
  MAP,
  SCALAR,
  SEQ,
  type PlainMap,
  type PlainValue,
  type YAlias,
  type YNode,
  type YStream,
} from "./types";
import { emptyDict } from "../../dict";

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

/**
 * Where a plain number is kept as the text docker compose makes of it (goNumberText) rather than as a number:
 * asked with the keys from the document's root to the value. The rule is Compose's, not YAML's
 * (../build-string-map.ts); the walker only has the number's source text at hand.
 */
export type NumberAsText = (keys: readonly string[]) => boolean;

/**
 * The paths a walk reaches, as ids: each path is its parent's id and one key, so that reaching a value costs two
 * array entries instead of a dotted string (most runs never ask for a position, and a 1,000-service file has
 * 17,000 values). The dotted text is made when first asked for.
 */
export class WalkPaths {
  private readonly parents: number[] = [-1];
  private readonly keys: string[] = [""];
  private texts: string[] | undefined;

  /** The document itself: the path "". */
  static readonly ROOT = 0;

  child(parent: number, key: string): number {
    this.parents.push(parent);
    this.keys.push(key);
    return this.parents.length - 1;
  }

  /** The dotted path (keys joined with `.`, "" for the document); asked only for messages. */
  text(id: number): string {
    return this.allTexts()[id]!;
  }

  /** Every path's text so far, in id order (a parent always comes before its children); extended when asked again. */
  allTexts(): string[] {
    const texts = (this.texts ??= []);
    for (let id = texts.length; id < this.parents.length; id++) {
      const parent = this.parents[id]!;
      texts.push(parent < 0 ? this.keys[id]! : joinPath(texts[parent]!, this.keys[id]!));
    }
    return texts;
  }
}

/**
 * A document's source positions by dotted path. The walk records an offset per path id as it goes; the table by
 * dotted path is built when a position is first asked for (an error, a warning), and a SourcePos only for the
 * one asked: a document has one per YAML value (84,000 in a 5,000-service file), and few are ever needed.
 */
export class DocumentPositions {
  private readonly pathIds: number[] = [];
  private readonly offsetList: number[] = [];
  private byPath: Map<string, number> | undefined;

  constructor(
    private readonly file: SourceFile,
    private readonly paths: WalkPaths,
  ) {}

  /** The offset of the value at path `id` (-1 where only the file is known); a later record of a path wins. */
  record(id: number, offset: number): void {
    this.pathIds.push(id);
    this.offsetList.push(offset);
  }

  get(path: string): SourcePos | undefined {
    const offset = this.offsets().get(path);
    if (offset === undefined) return undefined;
    return offset < 0 ? { file: this.file } : { file: this.file, offset };
  }

  /** How many values (keys' values and list items, nested ones included) have a position. */
  get size(): number {
    return this.offsets().size;
  }

  /** How many positions the walk recorded (a path recorded twice, through `<<` or an alias, counts twice). */
  get recorded(): number {
    return this.offsetList.length;
  }

  /** Every path with its offset (-1 where only the file is known), in the order walked. */
  entries(): IterableIterator<[string, number]> {
    return this.offsets().entries();
  }

  private offsets(): Map<string, number> {
    if (this.byPath === undefined) {
      const texts = this.paths.allTexts();
      this.byPath = new Map();
      for (let i = 0; i < this.pathIds.length; i++) this.byPath.set(texts[this.pathIds[i]!]!, this.offsetList[i]!);
    }
    return this.byPath;
  }
}

export function joinPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

export function walkDocument(
  file: SourceFile,
  stream: YStream,
  index: number,
  numberAsText?: NumberAsText,
): ParsedDocument {
  return new DocumentWalker(file, stream, index, numberAsText).run();
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
  /** The paths reached, by id (WalkPaths.ROOT is the document); `path` arguments below are such ids. */
  private readonly paths = new WalkPaths();
  /** Offset of every value by path; -1 where only the file is known. */
  private readonly positions: DocumentPositions;
  private readonly resetPaths: string[][] = [];
  private readonly overridePaths: string[][] = [];
  /** Keys from the root to the node being walked. */
  private readonly keys: string[] = [];
  /** Anchored nodes being expanded right now, to detect an alias that refers to its own ancestor. */
  private readonly expanding: Array<{ node: YNode; path: number; alias: YAlias }> = [];
  /** Sequences of mappings being merged through an alias right now (`<<: *seq`), for the same check. */
  private readonly mergedSequences: Array<{ node: YNode; path: string }> = [];
  /** Collections and aliases from the root to the node being walked. */
  private depth = 0;
  /**
   * Whether the nodes walked now count towards MAX_NODE_VISITS: the nodes as written, and those of an anchored
   * node of an earlier document the first time this document uses it (compose-go's reset pass runs per document,
   * and caches each anchored node once it has visited it); not nodes reached again through an alias.
   */
  private countingVisits = true;
  /** Anchored nodes of earlier documents that this document has used already. */
  private readonly usedFromEarlierDocuments = new Set<YNode>();

  constructor(
    private readonly file: SourceFile,
    private readonly stream: YStream,
    private readonly index: number,
    private readonly numberAsText: NumberAsText | undefined,
  ) {
    this.positions = new DocumentPositions(file, this.paths);
  }

  run(): ParsedDocument {
    const root = this.stream.roots[this.index] ?? null;
    // A document that is there but empty (`---` and nothing, a trailing `---`, `~`) is refused like any other
    // non-mapping, as docker compose does; a file with no document at all is the loader's "empty compose file".
    if (!(root?.kind === MAP) && !(root?.kind === ALIAS && root.target?.kind === MAP)) {
      fail("yaml-top-level", "top-level object must be a mapping", this.pos(root));
    }
    const value = this.walk(root, WalkPaths.ROOT) as PlainMap;
    return {
      file: this.file,
      value,
      positions: this.positions,
      resetPaths: this.resetPaths,
      overridePaths: this.overridePaths,
    };
  }

  private pos(node: YNode | null | undefined): SourcePos {
    return node && node.offset >= 0 ? { file: this.file, offset: node.offset } : { file: this.file };
  }

  /** `aliasDecoded`: false for the alias of a `<<: *mapping`, which compose-go hands go-yaml as the mapping. */
  private walk(node: YNode, path: number, aliasDecoded = true): PlainValue {
    if (this.depth >= MAX_DEPTH) fail("yaml-too-deep", tooDeep(this.file), this.pos(node));
    this.depth++;
    try {
      return this.walkNode(node, path, aliasDecoded);
    } finally {
      this.depth--;
    }
  }

  /** Counts one node produced by the walk, and refuses the document as go-yaml would once aliases dominate. */
  private countDecoded(node: YNode | null): void {
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
      fail(
        "yaml-excessive-aliasing",
        `failed to parse ${this.file.path}: document contains excessive aliasing`,
        this.pos(at),
      );
    }
  }

  private walkNode(node: YNode, path: number, aliasDecoded: boolean): PlainValue {
    if (this.countingVisits && ++this.visits > MAX_NODE_VISITS) {
      fail("yaml-too-many-nodes", `compose file exceeds maximum node visit limit (${MAX_NODE_VISITS})`, this.pos(node));
    }
    if (node.kind === ALIAS) return this.walkAlias(node, path, aliasDecoded);
    this.countDecoded(node);
    this.positions.record(path, node.offset);
    if (node.kind === MAP) {
      const out: PlainMap = emptyDict<PlainMap>();
      // Keys written here so far are those of `out` (merged keys come after the loop), plus any tagged `!reset`.
      let resetKeys: Set<string> | undefined;
      let merged: Array<YNode | null> | undefined;
      const entries = node.entries;
      for (let i = 0; i < entries.length; i += 2) {
        const keyNode = entries[i]!;
        this.countDecoded(keyNode);
        if (keyNode?.kind === SCALAR && keyNode.merge) {
          (merged ??= []).push(entries[i + 1]!);
          continue;
        }
        const key = this.keyOf(keyNode, path);
        if (key in out || resetKeys?.has(key)) this.duplicateKey(entries, i, key);
        const valueNode = entries[i + 1]!;
        if (valueNode?.tag === "!reset") (resetKeys ??= new Set()).add(key);
        this.setEntry(out, key, keyNode, valueNode, this.paths.child(path, key));
      }
      // `<<` entries: a local key always wins; among merged mappings the first one to define a key wins.
      if (merged) {
        for (const value of merged) {
          for (const source of this.mergeSources(value, path)) {
            for (const key in source) {
              if (!(key in out)) out[key] = source[key]!;
            }
          }
        }
      }
      return out;
    }
    if (node.kind === SEQ) {
      const out: PlainValue[] = [];
      for (const itemNode of node.items) {
        // compose-go drops a `!reset` item from this document only; items of earlier files stay.
        if (itemNode && itemNode.tag === "!reset") continue;
        const key = String(out.length);
        this.keys.push(key);
        try {
          out.push(itemNode === null ? null : this.walk(itemNode, this.paths.child(path, key)));
        } finally {
          this.keys.pop();
        }
      }
      return out;
    }
    const value = (this.numberAsText?.(this.keys) && goNumberText(node)) || goScalar(node);
    if (this.expansionDepth > 0 && typeof value === "string") this.countExpanded(value.length, node);
    return value;
  }

  /** Refuses the key at `entries[at]` as go-yaml does, naming the line where the mapping first has `key`. */
  private duplicateKey(entries: ReadonlyArray<YNode | null>, at: number, key: string): never {
    const offsetOf = (n: YNode | null): number => (n && n.offset >= 0 ? n.offset : 0);
    let previous = 0;
    for (let j = 0; j < at; j += 2) {
      const k = entries[j]!;
      if (k?.kind === SCALAR && k.merge) continue;
      const text = k?.kind === ALIAS ? k.target : k;
      if (text?.kind === SCALAR && String(text.yaml) === key) {
        previous = offsetOf(k);
        break;
      }
    }
    const line = this.file.lineCol(offsetOf(entries[at]!)).line;
    const prevLine = this.file.lineCol(previous).line;
    fail(
      "yaml-duplicate-key",
      `failed to parse ${this.file.path}: line ${line}: mapping key "${key}" already defined at line ${prevLine}`,
      this.pos(entries[at]!),
    );
  }

  /** Counts characters produced by alias expansion, and refuses the document past MAX_ALIAS_EXPANSION_CHARS. */
  private countExpanded(chars: number, node: YNode | null): void {
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

  private setEntry(out: PlainMap, key: string, keyNode: YNode | null, valueNode: YNode | null, path: number): void {
    this.keys.push(key);
    try {
      if (valueNode && valueNode.tag === "!reset") {
        this.resetPaths.push([...this.keys]);
        return;
      }
      if (valueNode && valueNode.tag === "!override") this.overridePaths.push([...this.keys]);
      if (valueNode === null) {
        this.positions.record(path, keyNode ? keyNode.offset : -1);
        out[key] = null;
        return;
      }
      out[key] = this.walk(valueNode, path);
    } finally {
      this.keys.pop();
    }
  }

  /** Whether `target` (an alias's) is an anchored node of an earlier document used here for the first time. */
  private firstUseOfEarlierAnchor(target: YNode): boolean {
    const doc = this.stream.documentOf.get(target) ?? this.index;
    if (doc >= this.index || this.usedFromEarlierDocuments.has(target)) return false;
    this.usedFromEarlierDocuments.add(target);
    return true;
  }

  /** `decodedAsAlias`: false for `<<: *mapping`, which compose-go resolves before go-yaml decodes it. */
  private walkAlias(alias: YAlias, path: number, decodedAsAlias: boolean): PlainValue {
    const target = alias.target;
    if (!target) fail("yaml-unknown-anchor", `unknown anchor '${alias.name}' referenced`, this.pos(alias));
    const cycle = this.expanding.find((e) => e.node === target);
    if (cycle) {
      fail(
        "yaml-alias-cycle",
        `cycle detected: node at path ${this.paths.text(path) || "."} references node at path ${this.paths.text(cycle.path) || "."}`,
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

  /**
   * The mappings a `<<` value contributes, in priority order. `itemsPath` is where compose-go's cycle check places
   * the value's items: the merge key adds nothing to the path, each sequence item its index.
   */
  private mergeSources(value: YNode | null, path: number, itemsPath?: string): PlainMap[] {
    const items: Array<YNode | null> = value?.kind === SEQ ? value.items : [value];
    const maps: PlainMap[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const resolved = item?.kind === ALIAS ? item.target : item;
      if (resolved?.kind === SEQ && item?.kind === ALIAS) {
        // `<<: *alias-to-a-sequence-of-mappings`: compose-go hands go-yaml the sequence itself. A sequence that
        // holds an alias to itself (`<<: &a [*a]`) is compose-go's cycle, never an endless expansion.
        const itemsText = itemsPath ?? this.paths.text(path);
        const itemPath = value?.kind === SEQ ? joinPath(itemsText, String(i)) : itemsText;
        const cycle = this.mergedSequences.find((e) => e.node === resolved);
        if (cycle) {
          fail(
            "yaml-alias-cycle",
            `cycle detected: node at path ${itemPath} references node at path ${cycle.path || "."}`,
            this.pos(item),
          );
        }
        const countingVisits = this.countingVisits;
        this.countingVisits = this.firstUseOfEarlierAnchor(resolved);
        this.mergedSequences.push({ node: resolved, path: itemPath });
        this.expansionDepth++;
        try {
          maps.push(...this.mergeSources(resolved, path, itemPath));
        } finally {
          this.expansionDepth--;
          this.mergedSequences.pop();
          this.countingVisits = countingVisits;
        }
        continue;
      }
      if (resolved?.kind !== MAP) {
        fail("yaml-merge", `map merge requires map or sequence of maps as the value`, this.pos(item));
      }
      // `<<: *mapping`: compose-go hands go-yaml the mapping itself, so its nodes are not alias expansion there.
      maps.push(this.walk(item!, path, !(item?.kind === ALIAS && value?.kind !== SEQ)) as PlainMap);
    }
    return maps;
  }

  private keyOf(keyNode: YNode | null, path: number): string {
    const key = keyNode?.kind === ALIAS ? keyNode.target : keyNode;
    if (key?.kind === SCALAR && typeof goScalar(key) === "string") {
      const text = String(key.yaml);
      if (this.expansionDepth > 0 || keyNode?.kind === ALIAS) this.countExpanded(text.length, keyNode);
      return text;
    }
    const shown = key?.kind === SCALAR ? String(key.yaml) : "a non-scalar";
    fail(
      "yaml-non-string-key",
      `non-string key in ${this.paths.text(path) || "top level"}: ${shown}`,
      this.pos(keyNode),
    );
  }
}
