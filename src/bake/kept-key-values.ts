/**
 * The bake side of kept args and labels keys (compose/keep-key-values.ts): a list-form `args` or `labels` one of
 * whose keys holds a variable is written as one expression that builds the map when bake runs, with Compose's
 * meaning under every environment: the items in order, the last one of a key winning (bake's `merge()`), each item
 * whose key holds a variable cut at its first `=` (a labels item without one is the key with ""):
 *
 *   [FOO=b, ${K}=a, BAR]  →  merge({ "FOO" = "b" }, { for m in [regex("^([^=]*)=?([\\s\\S]*)$", "${K}=a")] : m[0] => m[1] }, { "BAR" = "${BAR}" })
 *
 * A value-less arg is the reference to its variable, which is null when unset, and bake drops an arg whose value
 * is null (buildx 0.29.1), as Compose drops it; a null also replaces an earlier value of that key in `merge()`, as
 * Compose's later value-less item replaces the earlier item. An empty key is kept, as both tools keep it.
 */
import type { KeptVariables } from "../compose/keep";
import type { KeptKeyValues } from "../compose/keep-key-values";
import { hclString } from "./escape";
import { argument, MergedMap, type Piece } from "./template-pieces";

/** An item cut at its first `=`: the key (m[0]) and the rest (m[1]), "" without a `=`. Matches any text. */
const CUT = hclString("^([^=]*)=?([\\s\\S]*)$");

/** The expression of a kept map; `render` gives a value's (with tokens) template pieces. */
export function keyValuesExpression(form: KeptKeyValues, render: (value: string) => Piece[]): string {
  const map = new MergedMap();
  const put = (key: string, value: string) => map.put(key, value);
  for (const entry of form.entries) {
    if (!("cut" in entry)) {
      put(entry.key, entry.value === null ? "null" : hclString({ template: render(entry.value) }));
      continue;
    }
    const pieces = render(entry.cut);
    if (pieces.every((p): p is string => typeof p === "string")) {
      // Every reference known when the file is generated: cut now.
      const text = pieces.join("");
      const eq = text.indexOf("=");
      put(eq < 0 ? text : text.slice(0, eq), hclString(eq < 0 ? "" : text.slice(eq + 1)));
      continue;
    }
    map.push(`{ for m in [regex(${CUT}, ${argument(pieces)})] : m[0] => m[1] }`);
  }
  return map.expression();
}

/**
 * The map with every value-less arg whose name bake cannot read as a variable (`my.arg`, `A-B`) given null, as
 * Compose drops it when no variable of that name is set (target.ts drops it from a literal map the same way), and
 * the names of those args.
 */
export function withoutUnreadableArgs(
  form: KeptKeyValues,
  kept: KeptVariables,
  readable: (name: string) => boolean,
): { readonly form: KeptKeyValues; readonly dropped: readonly string[] } {
  const dropped: string[] = [];
  const entries = form.entries.map((e) => {
    if ("cut" in e || e.value === null) return e;
    const pieces = kept.split(e.value);
    const only = pieces.length === 1 ? pieces[0] : undefined;
    if (typeof only !== "object" || only.kind !== undefined || !only.valueless || readable(only.part.name)) return e;
    dropped.push(e.key);
    return { key: e.key, value: null };
  });
  return { form: dropped.length === 0 ? form : { ...form, entries }, dropped };
}
