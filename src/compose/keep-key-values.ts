/**
 * Kept keys of list-form `build.args` and `build.labels` (issue #13): in keep mode an item whose KEY holds a
 * `${VAR}` reference (`- ${KEY}=v`, `- PRE_${K}=v`, and for labels `- ${L}`) is neither resolved now nor written
 * as a literal key: the whole attribute becomes one map that bake builds when it runs (bake/kept-key-values.ts).
 *
 * What Compose does (compose-go, checked with docker compose 2.40.3): each file is interpolated, its lists are
 * merged with the earlier files' (a mapping becomes `K=V` items in sorted key order, `K` alone for null; `extends`
 * and later `-f` files append), items with the same key are then kept once, the last one winning (the key is the
 * text before the first `=` of the INTERPOLATED item, so a `=` a variable holds cuts there, and a key may come out
 * empty), and the list becomes a map: for args an item without `=` is a value-less arg, looked up in the
 * environment and dropped when unset, and an args key ending in white space is refused (`environment variable K
 * is declared with a trailing space`, Go's unicode.IsSpace of its last byte); for labels an item without `=` is
 * the key with an empty value. The map is therefore "each item in order, the last one of a key wins".
 *
 * So the loader makes each such item one token (`key-item`, with the tokens of its own references inside) that no
 * merge cuts, and merge.ts keeps the order of the items (a later item of a key moves after any kept item, rather
 * than taking the earlier item's place). Normalisation (normalize-key-values.ts) then turns the list into one `key-values` form: the
 * literal items as they are (a value-less arg as the reference bake reads, null when unset), the kept ones cut by
 * bake, merged in order with `merge()`; the trailing-space refusal becomes a validation (keep-forms.ts `arg-key`).
 *
 * Not kept: an args item without a literal `=` whose name holds a reference (`- ${K}`): Compose would look up a
 * variable whose name comes from another one, which bake cannot do; keep.ts resolves it as if unset.
 */
import { hasToken } from "./keep-token";

/** One item of a list whose key holds a reference: the item as written, with the tokens of its references. */
export interface KeptKeyItem {
  readonly kind: "form";
  readonly form: "key-item";
  readonly value: string;
}

/** An entry of a kept args or labels map, in the list's order. */
export type KeptKeyValueEntry =
  /** A literal key; its value with tokens, or null: a value-less arg whose name is no variable (unset). */
  | { readonly key: string; readonly value: string | null }
  /** An item cut at its first `=` when bake runs (a labels item without `=` is the key with ""). */
  | { readonly cut: string };

/** A whole args or labels list holding kept key items: the map bake builds, the last entry of a key winning. */
export interface KeptKeyValues {
  readonly kind: "form";
  readonly form: "key-values";
  readonly attribute: "args" | "labels";
  readonly entries: readonly KeptKeyValueEntry[];
}

/**
 * In keep mode, a list item that is a kept key item: the loader made the whole item one token (keep.ts), which
 * holds no literal `=` (an item whose key is literal is `K=…` as written, a value-less arg `K` holds no token).
 */
export function isKeptKeyItem(item: unknown): boolean {
  return typeof item === "string" && hasToken(item) && !item.includes("=");
}

/** The strings (holding tokens) a kept map reads. */
export function keyValuesValues(form: KeptKeyValues): string[] {
  const out: string[] = [];
  for (const e of form.entries) {
    if ("cut" in e) out.push(e.cut);
    else if (e.value !== null) out.push(e.value);
  }
  return out;
}
