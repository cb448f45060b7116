/**
 * The hostile-input limits of the YAML layer: file size, node count (counted with the yaml lexer before anything
 * is built), nesting depth, alias expansion (go-yaml's ratio and a cap on expanded characters).
 */
import { Lexer } from "yaml";
import { fail, type SourceFile } from "../../diagnostics";

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
export function allowedAliasRatio(decoded: number): number {
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

export function tooDeep(file: SourceFile): string {
  return `failed to parse ${file.path}: exceeded max depth of ${MAX_DEPTH}`;
}

/**
 * Counts the nodes (scalars, flow collections, aliases, documents) and the flow nesting of a file with the
 * `yaml` lexer, which stops early and keeps nothing, and refuses the file before a document is built from it.
 */
export function checkSize(file: SourceFile): void {
  // The lexer costs about a fifth of a full parse; most files are far too small to need it. The bound counts at
  // most one node per character, so a file shorter than the limit needs no scan at all (a cold run's loop).
  if (file.text.length < MAX_YAML_NODES || nodeCountBound(file.text) <= MAX_YAML_NODES) return;
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
export function* sourceTokens(
  text: string,
): Generator<{ token: string; at: number; kind: "marker" | "scalar" | "syntax" }> {
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
