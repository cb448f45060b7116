/**
 * The `yaml` package's Documents as our node tree (types.ts): the fallback parse path, and the reference the CST
 * composer is tested against. Aliases are resolved across the stream as go-yaml resolves them: one table of
 * anchors for the whole stream, so an alias may name an anchor of an earlier document (`---`); the last node
 * anchored with the name before the alias, in stream order, is its target, and an anchor defined again in a later
 * document shadows it from there on. (The yaml package resolves aliases within their own document only.)
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair } from "yaml";
import { ALIAS, MAP, SCALAR, SEQ, type YMap, type YNode, type YSeq, type YStream } from "./types";

export function streamFromDocuments(docs: readonly Document[], toOriginal: (offset: number) => number): YStream {
  const anchors = new Map<string, YNode>();
  const documentOf = new Map<YNode, number>();
  let index = 0;
  const offsetOf = (node: Node): number => (node.range ? toOriginal(node.range[0]) : -1);

  const convert = (node: unknown, atKey: boolean): YNode | null => {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      return {
        kind: ALIAS,
        offset: offsetOf(node),
        tag: undefined,
        name: node.source,
        target: anchors.get(node.source),
      };
    }
    let out: YNode;
    if (isScalar(node)) {
      const source = (node as { source?: unknown }).source;
      out = {
        kind: SCALAR,
        offset: offsetOf(node),
        tag: node.tag,
        source: typeof source === "string" ? source : "",
        plain: node.type === "PLAIN" && node.tag === undefined && typeof source === "string",
        yaml: node.value,
        // With `merge: true` the yaml package marks a plain `<<` key with a symbol.
        merge:
          atKey &&
          (typeof node.value === "symbol" ||
            (node.value === "<<" && (node.type === "PLAIN" || node.type === undefined))),
      };
      register(node, out);
      return out;
    }
    if (isMap(node)) {
      const map: YMap = { kind: MAP, offset: offsetOf(node), tag: node.tag, entries: [] };
      register(node, map);
      for (const pair of node.items as Pair[]) map.entries.push(convert(pair.key, true), convert(pair.value, false));
      return map;
    }
    if (isSeq(node)) {
      const seq: YSeq = { kind: SEQ, offset: offsetOf(node), tag: node.tag, items: [] };
      register(node, seq);
      for (const item of node.items) seq.items.push(convert(item, false));
      return seq;
    }
    return null;
  };
  // A node's anchor is known to its own children (an alias inside it is then a cycle).
  const register = (node: Node, out: YNode): void => {
    if (!node.anchor) return;
    anchors.set(node.anchor, out);
    documentOf.set(out, index);
  };

  const roots: Array<YNode | null> = [];
  for (const doc of docs) {
    roots.push(convert(doc.contents, false));
    index++;
  }
  return { roots, documentOf };
}
