/**
 * Keep mode: a list-form `build.args` or `build.labels` holding items whose key holds a reference, normalised into
 * the one map bake builds when it runs (keep-key-values.ts explains the form and why).
 */
import type { Lookup } from "./interpolate";
import type { KeptVariables } from "./keep";
import { isKeptKeyItem, type KeptKeyValueEntry, type KeptKeyValues } from "./keep-key-values";

/**
 * The kept form of a list-form args or labels holding kept key items, as one token; undefined for anything else
 * (a mapping, or a list of literal keys), which normalize-build.ts reads as it always has. Items are cut as
 * compose-go's MappingWithEquals / Labels cut them; an args key is checked for Compose's trailing white space.
 */
export function keptKeyValueList(
  attribute: "args" | "labels",
  raw: unknown,
  service: string,
  kept: KeptVariables | undefined,
  lookupEnv: Lookup,
): string | undefined {
  if (kept === undefined || !Array.isArray(raw) || !raw.some(isKeptKeyItem)) return undefined;
  const entries: KeptKeyValueEntry[] = [];
  // The last literal item of a key is enough: an earlier one is replaced in bake's merge() anyway.
  const lastLiteral = new Map<string, number>();
  const superseded = new Set<number>();
  for (const item of raw as string[]) {
    if (isKeptKeyItem(item)) {
      const piece = kept.split(item)[0];
      const value =
        typeof piece === "object" && piece.kind === "form" && piece.form === "key-item" ? piece.value : item;
      entries.push({ cut: value });
      if (attribute === "args") kept.checks.push({ rule: "arg-key", value, service });
      continue;
    }
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq >= 0 ? item.slice(eq + 1) : attribute === "labels" ? "" : (lookupEnv(key) ?? null);
    const at = lastLiteral.get(key);
    if (at !== undefined) superseded.add(at);
    lastLiteral.set(key, entries.length);
    entries.push({ key, value });
  }
  const form: KeptKeyValues = {
    kind: "form",
    form: "key-values",
    attribute,
    entries: entries.filter((_, i) => !superseded.has(i)),
  };
  return kept.token(form);
}
