/**
 * Composes our node tree (types.ts) straight from the `yaml` package's CST (its Parser), without building its
 * Document: the Document's classes, ranges, comments and per-item property records cost about a third of a large
 * file's parse and most of its memory (bench/README.md).
 *
 * Only well-formed YAML of the shapes Compose files are written in is taken on here: block and flow collections,
 * plain, quoted and block scalars, anchors, aliases, `<<` keys and the `!reset` / `!override` tags. The checks are
 * deliberately stricter than the yaml composer's: at anything else (a directive, an explicit `?` key, a tab in
 * indentation, a comment without space before it, another tag, an error token, an empty document, a multi-line
 * key, a key or value the composer would flag...) the whole stream is given up on and parsed again through the
 * Document (lenient.ts, document.ts), which then gives its own values or its own error. So this path never
 * accepts what the Document path refuses, and gives the same nodes where it accepts (test/property/yaml-cst).
 * Scalars are resolved by the yaml package itself (`CST.resolveAsScalar`, the composer's own code), and typed by
 * the YAML 1.2 core schema as the package types them (scalars.ts).
 */
import { CST, Parser } from "yaml";
import { MAX_DEPTH } from "./limits";
import { coreValue } from "./scalars";
import { ALIAS, MAP, SCALAR, SEQ, type YMap, type YNode, type YScalar, type YSeq, type YStream } from "./types";

/** Thrown to give up on the CST path; the caller falls back to the Document path. */
const GIVE_UP = Symbol("give up");
const giveUp = (): never => {
  throw GIVE_UP;
};

/** The tags taken on here, by name as written → as the yaml package resolves it; any other gives up. */
const TAGS = new Map([
  ["!reset", "!reset"],
  ["!override", "!override"],
  ["!!str", "tag:yaml.org,2002:str"],
]);
/** The tags that may stand on a collection (on which `!!str` would be a warning, and a change of type). */
const COLLECTION_TAGS = new Set(["!reset", "!override"]);

/** The stream's documents as node trees, or undefined when the Document path must parse this text. */
export function streamFromCst(text: string): YStream | undefined {
  try {
    return new CstComposer().stream(text);
  } catch (e) {
    // A stack overflow (nesting far past MAX_DEPTH) is the Document path's to report too.
    if (e === GIVE_UP || e instanceof RangeError) return undefined;
    throw e;
  }
}

interface Props {
  found: boolean;
  anchor: string | undefined;
  tag: string | undefined;
  hasNewline: boolean;
  /** A newline comes after the last anchor or tag. */
  newlineAfterProps: boolean;
  /** Offset where the tokens end. */
  end: number;
  /** Commas (only in a flow collection's items). */
  commas: number;
}

class CstComposer {
  private readonly anchors = new Map<string, YNode>();
  private readonly documentOf = new Map<YNode, number>();
  private index = 0;

  stream(text: string): YStream {
    const roots: Array<YNode | null> = [];
    for (const token of new Parser().parse(text)) {
      switch (token.type) {
        case "document":
          roots.push(this.document(token));
          this.index++;
          break;
        case "space":
        case "newline":
        case "comment":
        case "byte-order-mark":
          break;
        default:
          giveUp();
      }
    }
    if (roots.length === 0) giveUp();
    return { roots, documentOf: this.documentOf };
  }

  private document(doc: CST.Document): YNode {
    const props = this.props(doc.start, "doc-start", true, doc.offset);
    if (props.anchor !== undefined || props.tag !== undefined || !doc.value) giveUp();
    const value = doc.value!;
    if (props.found && (value.type === "block-map" || value.type === "block-seq") && !props.hasNewline) giveUp();
    const node = this.node(value, props, 0, false);
    this.end(doc.end, false);
    return node;
  }

  /**
   * Node properties and indicators before a node, checked more strictly than the yaml composer checks them:
   * spaces without tabs, newlines, comments after white space, at most one `indicator` before at most one anchor
   * and one known tag, each followed by white space.
   */
  private props(
    tokens: readonly CST.SourceToken[],
    indicator: string | undefined,
    startOnNewline: boolean,
    offset: number,
    flow = false,
  ): Props {
    let found = false;
    let commas = 0;
    let anchor: string | undefined;
    let tag: string | undefined;
    let hasNewline = false;
    let newlineAfterProps = false;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      switch (t.type) {
        case "space":
          if (t.source.includes("\t")) giveUp();
          break;
        case "newline":
          hasNewline = true;
          if (anchor !== undefined || tag !== undefined) newlineAfterProps = true;
          break;
        case "comment": {
          const before = i === 0 ? (startOnNewline ? "newline" : undefined) : tokens[i - 1]!.type;
          if (before !== "space" && before !== "newline") giveUp();
          break;
        }
        case "anchor":
          if (anchor !== undefined || t.source.length < 2 || t.source.endsWith(":")) giveUp();
          anchor = t.source.slice(1);
          this.whiteSpaceAfter(tokens, i);
          newlineAfterProps = false;
          break;
        case "tag":
          if (tag !== undefined || !TAGS.has(t.source)) giveUp();
          tag = TAGS.get(t.source);
          this.whiteSpaceAfter(tokens, i);
          newlineAfterProps = false;
          break;
        case "comma":
          if (!flow) giveUp();
          commas++;
          break;
        default:
          if (t.type !== indicator || found || anchor !== undefined || tag !== undefined) giveUp();
          found = true;
      }
    }
    const last = tokens[tokens.length - 1];
    const end = last ? last.offset + last.source.length : offset;
    return { found, anchor, tag, hasNewline, newlineAfterProps, end, commas };
  }

  private whiteSpaceAfter(tokens: readonly CST.SourceToken[], i: number): void {
    const next = tokens[i + 1]?.type;
    if (next !== "space" && next !== "newline") giveUp();
  }

  /** Tokens after a node: white space and comments (after white space when `strict`). */
  private end(tokens: readonly CST.SourceToken[] | undefined, strict: boolean): void {
    if (!tokens) return;
    let space = false;
    for (const t of tokens) {
      if (t.type === "space") {
        if (t.source.includes("\t")) giveUp();
        space = true;
      } else if (t.type === "newline") space = true;
      else if (t.type !== "comment" || (strict && !space)) giveUp();
    }
  }

  private register(anchor: string | undefined, node: YNode): void {
    if (anchor === undefined) return;
    this.anchors.set(anchor, node);
    this.documentOf.set(node, this.index);
  }

  private node(token: CST.Token, props: Props, depth: number, atKey: boolean): YNode {
    // The walker refuses nesting beyond MAX_DEPTH; far beyond it, leave the report to the Document path.
    if (depth > MAX_DEPTH + 10) giveUp();
    if (props.tag !== undefined && !COLLECTION_TAGS.has(props.tag) && !isScalarToken(token)) giveUp();
    switch (token.type) {
      case "alias": {
        if (props.anchor !== undefined || props.tag !== undefined) giveUp();
        const name = token.source.slice(1);
        if (name === "" || name.endsWith(":")) giveUp();
        this.end(token.end, true);
        return { kind: ALIAS, offset: token.offset, tag: undefined, name, target: this.anchors.get(name) };
      }
      case "scalar":
      case "single-quoted-scalar":
      case "double-quoted-scalar":
      case "block-scalar": {
        const node = this.scalar(token, props.tag, atKey);
        this.register(props.anchor, node);
        return node;
      }
      case "block-map":
        return this.blockMap(token, props, depth);
      case "block-seq":
        if ((props.anchor !== undefined || props.tag !== undefined) && !props.newlineAfterProps) giveUp();
        return this.blockSeq(token, props, depth);
      case "flow-collection":
        return this.flow(token, props, depth);
      default:
        return giveUp();
    }
  }

  private scalar(token: CST.FlowScalar | CST.BlockScalar, tag: string | undefined, atKey: boolean): YScalar {
    let value = token.type === "block-scalar" ? undefined : simpleValue(token);
    let type = token.type === "scalar" ? "PLAIN" : "QUOTED";
    let offset = token.offset;
    if (value !== undefined) {
      this.end((token as CST.FlowScalar).end, true);
    } else {
      const resolved = CST.resolveAsScalar(token, true, giveUp);
      if (!resolved) return giveUp();
      ({ value } = resolved);
      type = resolved.type ?? "";
      offset = resolved.range[0];
    }
    const plain = type === "PLAIN" && tag === undefined;
    const merge = plain && atKey && value === "<<";
    return { kind: SCALAR, offset, tag, source: value, plain, yaml: plain && !merge ? coreValue(value) : value, merge };
  }

  /** The empty scalar of a value that is not written (`a:`, `-`), where the yaml composer places it. */
  private empty(props: Props, before: readonly CST.SourceToken[]): YScalar {
    let offset = props.end;
    for (let i = before.length - 1; i >= 0; i--) {
      const t = before[i]!;
      if (t.type === "space" || t.type === "comment" || t.type === "newline") {
        offset -= t.source.length;
        continue;
      }
      for (let j = i + 1; before[j]?.type === "space"; j++) offset += before[j]!.source.length;
      break;
    }
    const tagged = props.tag !== undefined;
    const node: YScalar = {
      kind: SCALAR,
      offset,
      tag: props.tag,
      source: "",
      plain: !tagged,
      yaml: tagged ? "" : null,
      merge: false,
    };
    this.register(props.anchor, node);
    return node;
  }

  private blockMap(bm: CST.BlockMap, props: Props, depth: number): YMap {
    const map: YMap = { kind: MAP, offset: bm.offset, tag: props.tag, entries: [] };
    this.register(props.anchor, map);
    const items = bm.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.explicitKey) giveUp();
      const keyProps = this.props(item.start, undefined, true, -1);
      if (keyProps.anchor !== undefined || keyProps.tag !== undefined) giveUp();
      const { key, sep, value } = item;
      if (key === undefined && sep === undefined) {
        // Comments after the last entry; anywhere else the composer objects.
        if (value !== undefined || i !== items.length - 1) giveUp();
        continue;
      }
      if (!key || !sep || !isFlowScalar(key) || key.type === "alias" || key.indent !== bm.indent) return giveUp();
      if (key.source.includes("\n") || key.end?.some((t) => t.type === "newline")) giveUp();
      const valueProps = this.props(sep, "map-value-ind", false, -1);
      if (!valueProps.found) giveUp();
      const indicator = sep.find((t) => t.type === "map-value-ind")!;
      if (indicator.offset - key.offset > 1000) giveUp(); // the composer's 1024-character limit on implicit keys
      if (value?.type === "block-map" && !valueProps.hasNewline) giveUp();
      const keyNode = this.scalar(key, undefined, true);
      map.entries.push(keyNode, value ? this.node(value, valueProps, depth + 1, false) : this.empty(valueProps, sep));
    }
    return map;
  }

  private blockSeq(bs: CST.BlockSequence, props: Props, depth: number): YSeq {
    const seq: YSeq = { kind: SEQ, offset: bs.offset, tag: props.tag, items: [] };
    this.register(props.anchor, seq);
    for (const { start, value } of bs.items) {
      const itemProps = this.props(start, "seq-item-ind", true, -1);
      if (!itemProps.found) {
        if (value !== undefined || itemProps.anchor !== undefined || itemProps.tag !== undefined) giveUp();
        continue; // comments only
      }
      seq.items.push(value ? this.node(value, itemProps, depth + 1, false) : this.empty(itemProps, start));
    }
    return seq;
  }

  private flow(fc: CST.FlowCollection, props: Props, depth: number): YMap | YSeq {
    const isMap = fc.start.source === "{";
    if (!isMap && fc.start.source !== "[") giveUp();
    const out: YMap | YSeq = isMap
      ? { kind: MAP, offset: fc.offset, tag: props.tag, entries: [] }
      : { kind: SEQ, offset: fc.offset, tag: props.tag, items: [] };
    this.register(props.anchor, out);
    const items = fc.items;
    for (let i = 0; i < items.length; i++) {
      const { start, key, sep, value } = items[i]!;
      const itemProps = this.props(start, undefined, false, -1, true);
      if (itemProps.commas !== (i === 0 ? 0 : 1)) giveUp();
      if (key === undefined && sep === undefined && value === undefined) {
        // `[a, , b]`; a trailing `,` is fine
        if (i !== items.length - 1 || itemProps.anchor !== undefined || itemProps.tag !== undefined) giveUp();
        continue;
      }
      if (!isMap) {
        if (key !== undefined || sep !== undefined || !value || !inFlow(value)) giveUp();
        if (out.kind === SEQ) out.items.push(this.node(value!, itemProps, depth + 1, false));
        continue;
      }
      // In a flow mapping the item's properties would be the key's.
      if (itemProps.anchor !== undefined || itemProps.tag !== undefined) giveUp();
      if (!key || !sep || !value || !isFlowScalar(key) || key.type === "alias" || !inFlow(value)) giveUp();
      if (
        (key as CST.FlowScalar).source.includes("\n") ||
        (key as CST.FlowScalar).end?.some((t) => t.type === "newline")
      )
        giveUp();
      const valueProps = this.props(sep!, "map-value-ind", false, -1, true);
      if (!valueProps.found || valueProps.commas > 0) giveUp();
      if (out.kind === MAP)
        out.entries.push(
          this.scalar(key as CST.FlowScalar, undefined, true),
          this.node(value!, valueProps, depth + 1, false),
        );
    }
    const [close, ...rest] = fc.end;
    if (close?.source !== (isMap ? "}" : "]")) giveUp();
    this.end(rest, true);
    return out;
  }
}

/**
 * The value of a one-line scalar whose text is its value (most of a Compose file's): plain, not starting with a
 * character the composer objects to; quoted, without escapes or doubled quotes. Undefined for the rest, which
 * the yaml package resolves (`CST.resolveAsScalar`).
 */
function simpleValue(token: CST.FlowScalar): string | undefined {
  const src = token.source;
  if (src.includes("\n")) return undefined;
  switch (token.type) {
    case "scalar":
      return src === "" || "\t,%|>@`".includes(src[0]!) ? undefined : src;
    case "double-quoted-scalar":
      return src.length >= 2 && src.endsWith('"') && !src.includes("\\") && src.indexOf('"', 1) === src.length - 1
        ? src.slice(1, -1)
        : undefined;
    case "single-quoted-scalar":
      return src.length >= 2 && src.indexOf("'", 1) === src.length - 1 ? src.slice(1, -1) : undefined;
    default:
      return undefined;
  }
}

function isScalarToken(token: CST.Token): boolean {
  return (
    token.type === "scalar" ||
    token.type === "single-quoted-scalar" ||
    token.type === "double-quoted-scalar" ||
    token.type === "block-scalar"
  );
}

function isFlowScalar(token: CST.Token): token is CST.FlowScalar {
  return (
    token.type === "scalar" ||
    token.type === "single-quoted-scalar" ||
    token.type === "double-quoted-scalar" ||
    token.type === "alias"
  );
}

/** What may stand in a flow collection (no block collections, no block scalars). */
function inFlow(token: CST.Token): boolean {
  return isFlowScalar(token) || token.type === "flow-collection";
}
