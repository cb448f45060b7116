/**
 * The loader's side of kept additional-context names (keep-contexts.ts): compose-go's canonical points, where a
 * contexts list becomes a mapping, and the schema check of the next document, which meets that mapping.
 */
import { fail } from "../diagnostics";
import { decodeTokens } from "./keep-token";
import type { KeptVariables } from "./keep";
import { invalidContextMessage, isKeptContextItem, type KeptContextItem, type KeptContextList } from "./keep-contexts";
import type { PlaceOf } from "./positions";
import { isMap, type PlainMap } from "./raw";

/** The kept context item a token stands for. */
export function contextItemOf(kept: KeptVariables, token: string): KeptContextItem {
  const piece = kept.split(token)[0];
  if (typeof piece !== "object" || piece.kind !== "form" || piece.form !== "context-item")
    throw new Error("internal error: a kept context item is not one");
  return piece;
}

/**
 * compose-go's canonical transform of the contexts lists holding kept items, in place (the end of a document, or a
 * service read from another file through `extends`): every item becomes a `mapped` kept item, literal ones too, so
 * that the next document can tell the mapping; an item that may come out without `=` gets Compose's check, and a
 * literal one without it is refused now, as Compose refuses it here.
 */
export function canonicalizeKeptContexts(model: PlainMap, kept: KeptVariables, placeOf: PlaceOf): void {
  if (!isMap(model.services)) return;
  for (const [name, service] of Object.entries(model.services)) {
    if (!isMap(service) || !isMap(service.build)) continue;
    const list = service.build.additional_contexts;
    if (!Array.isArray(list) || !list.some(isKeptContextItem)) continue;
    const path = `services.${name}.build.additional_contexts`;
    service.build.additional_contexts = list.map((item, i) => {
      if (isKeptContextItem(item)) {
        const piece = contextItemOf(kept, item as string);
        if (piece.mapped) return item;
        if (!literalText(piece.value).includes("="))
          kept.checks.push({ rule: "context-item", value: piece.value, path });
        return kept.token({ ...piece, mapped: true });
      }
      if (typeof item !== "string") return item;
      if (!item.includes("="))
        fail("invalid-additional-context", invalidContextMessage(path, item), placeOf(`${path}.${i}`));
      return kept.token({ kind: "form", form: "context-item", value: item, mapped: true });
    });
  }
}

/**
 * After a document is merged: a contexts list made only of `mapped` items is a mapping to the schema check that
 * follows (this document did not write the key), which refuses the name '' (keep-forms.ts `context-name`).
 */
export function checkKeptContextNames(model: PlainMap, kept: KeptVariables): void {
  if (!isMap(model.services)) return;
  for (const [name, service] of Object.entries(model.services)) {
    if (!isMap(service) || !isMap(service.build)) continue;
    const list = service.build.additional_contexts;
    if (!Array.isArray(list) || list.length === 0 || !list.every(isKeptContextItem)) continue;
    const items = list.map((item) => contextItemOf(kept, item as string));
    if (!items.every((item) => item.mapped)) continue;
    const path = `services.${name}.build.additional_contexts`;
    // A literal item is checked now (applyKeptVariables runs a check that reads no variable when it writes it);
    // one whose text starts with a name needs no check, and one already checked (an earlier document) none again.
    const done = checkedNames.get(kept) ?? new Set<string>();
    checkedNames.set(kept, done);
    for (const item of items) {
      const first = decodeTokens(item.value)[0];
      const key = `${path}\0${item.value}`;
      if ((typeof first !== "string" || first.startsWith("=")) && !done.has(key)) {
        done.add(key);
        kept.checks.push({ rule: "context-name", value: item.value, path });
      }
    }
  }
}

/** The `context-name` checks already recorded, as path and value, so that each document does not repeat them. */
const checkedNames = new WeakMap<KeptVariables, Set<string>>();

/** The literal text of a value holding tokens (what no environment changes), tokens left out. */
function literalText(value: string): string {
  return decodeTokens(value)
    .filter((p): p is string => typeof p === "string")
    .join("");
}

/** A build's kept contexts list (normalize-build.ts), if it has one. */
export function keptContextList(kept: KeptVariables, token: string | undefined): KeptContextList | undefined {
  const list = token === undefined ? undefined : kept.split(token)[0];
  return typeof list === "object" && list.kind === "form" && list.form === "context-list" ? list : undefined;
}

/**
 * The literal names of a kept contexts list whose value a later kept item may replace when bake runs (`n=x`, then
 * `${K}=./y` with K=n): what they name is known only then.
 */
export function replaceableContextNames(list: KeptContextList | undefined): Set<string> {
  const names = new Set<string>();
  let itemAfter = false;
  const lastLiteral = new Set<string>();
  for (let i = (list?.items.length ?? 0) - 1; i >= 0; i--) {
    const entry = list!.items[i]!;
    if ("item" in entry) itemAfter = true;
    else if (!lastLiteral.has(entry.name)) {
      lastLiteral.add(entry.name);
      if (itemAfter) names.add(entry.name);
    }
  }
  return names;
}
