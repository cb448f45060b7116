/**
 * The values the YAML layer hands on, and the small node tree both parse paths compose into (the CST composer,
 * cst.ts, and the `yaml` package's Document, document.ts) for the one walker (walk.ts) to read.
 */

export type PlainValue = null | string | number | boolean | PlainValue[] | PlainMap;
export interface PlainMap {
  [key: string]: PlainValue;
}

/** Node kinds (numbers: the walker switches on them for every node). */
export const SCALAR = 0;
export const MAP = 1;
export const SEQ = 2;
export const ALIAS = 3;

interface NodeBase {
  /** Offset in the file where the node starts (the yaml package's `range[0]`); -1 when unknown. */
  readonly offset: number;
  /** The node's tag as written (`!reset`, `!override`), if any. */
  readonly tag: string | undefined;
}

export interface YScalar extends NodeBase, ScalarFacts {
  readonly kind: typeof SCALAR;
  /** A plain, untagged `<<` in a key: a merge key. */
  readonly merge: boolean;
}

export interface YMap extends NodeBase {
  readonly kind: typeof MAP;
  /** Keys and values, alternating (a value is null only in a flow mapping's `{a}`). */
  readonly entries: Array<YNode | null>;
}

export interface YSeq extends NodeBase {
  readonly kind: typeof SEQ;
  readonly items: Array<YNode | null>;
}

export interface YAlias extends NodeBase {
  readonly kind: typeof ALIAS;
  readonly name: string;
  /** The node anchored with this name last before the alias, in stream order (go-yaml's one table per stream). */
  readonly target: YNode | undefined;
}

export type YNode = YScalar | YMap | YSeq | YAlias;

/** A stream's documents as node trees, and the document of every anchored node (to tell earlier documents'). */
export interface YStream {
  readonly roots: Array<YNode | null>;
  readonly documentOf: ReadonlyMap<YNode, number>;
}

/** What the walker needs of a scalar, whichever parse path made it. */
export interface ScalarFacts {
  /** The scalar's text after YAML's quoting and folding are undone. */
  readonly source: string;
  /** An untagged plain scalar (go-yaml may read it as a number). */
  readonly plain: boolean;
  /** The value the `yaml` package resolves (YAML 1.2 core schema); a string for quoted and tagged scalars. */
  readonly yaml: unknown;
}
