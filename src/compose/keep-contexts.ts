/**
 * Kept additional-context names (issue #13 item 1): in keep mode an `additional_contexts` list item whose name holds
 * a `${VAR}` reference (`- ${K}=./ctx`) stays a bake expression instead of being resolved as if unset.
 *
 * What Compose does with such a list (compose-go transform/mapping.go, override/merge.go, checked with docker
 * compose 2.40.3): each document is interpolated, merged into what was loaded before, then made canonical: each
 * item is cut at its first `=` into a mapping name → value (a repeated name keeps its last value; an item without
 * `=` is refused, `services.S.build.additional_contexts: invalid value x, expected key=value`, in every service,
 * active or not). A later document (a later `-f` file, or the service extending it from another file) that writes
 * the key again turns both sides back into `name=value` lists, appended, a later name replacing an earlier one:
 * after interpolation, so `${K}=./y` then `A=./z` gives A=./z when K=A. One that does not write the key meets the
 * mapping in the schema, which refuses the name '' (`… additional properties '' not allowed`). The value gets
 * Compose's path rule (keep-path.ts `additional-context`) from the folder of the file that declared the item.
 *
 * So the whole list becomes one map built when bake runs (`context-list`, bake/kept-contexts.ts): the items in
 * an order where the last one of a name wins, each kept item one token of its own (`context-item`, which
 * remembers its folder), cut by bake. Merging appends rather than replacing in place (merge.ts), which keeps
 * that order right whatever the names come out as. The points where compose-go makes the list a mapping
 * (the end of each document, a service read from another file through `extends`) mark the items `mapped`
 * (keep-contexts-canonical.ts), literal ones too; a list made only of such items at the next document's schema
 * check is the mapping Compose validates there. Compose's two checks become bake validations (keep-forms.ts
 * `context-item`, `context-name`).
 */
import { hasToken } from "./keep-token";
import type { WrittenFolders } from "./keep-path";

/** One item of a kept contexts list whose name holds a reference (or any item, once `mapped`). */
export interface KeptContextItem {
  readonly kind: "form";
  readonly form: "context-item";
  /** The item as written, with the tokens of its own references (a literal item, once mapped, has none). */
  readonly value: string;
  /** Absolute folder the value is relative to: that of the file that declared the item (set by paths.ts). */
  readonly base?: string;
  /** How the converter writes folders (set when the target is converted). */
  readonly written?: WrittenFolders;
  /** It went through compose-go's canonical transform: the list was a mapping then. */
  readonly mapped?: boolean;
}

/** An entry of a kept contexts list: a literal name with its value (a path, maybe kept), or a kept item. */
export type KeptContextEntry = { readonly name: string; readonly value: string } | { readonly item: string };

/** A whole contexts list holding kept items: the map bake builds, the last entry of a name winning. */
export interface KeptContextList {
  readonly kind: "form";
  readonly form: "context-list";
  readonly items: readonly KeptContextEntry[];
}

/**
 * In keep mode, an `additional_contexts` list item that is a kept item: the loader made the whole item one token
 * (keep.ts), which holds no literal `=` (an item whose name is literal is `name=…` as written).
 */
export function isKeptContextItem(item: unknown): boolean {
  return typeof item === "string" && hasToken(item) && !item.includes("=");
}

/** `services.<name>.build.additional_contexts.<index>`: an item of a list-form `additional_contexts`. */
export function isContextListItem(segs: readonly string[], inList: boolean): boolean {
  return (
    inList && segs.length === 5 && segs[0] === "services" && segs[2] === "build" && segs[3] === "additional_contexts"
  );
}

/** Compose's refusal of an item without `=`. */
export function invalidContextMessage(path: string, item: string): string {
  return `${path}: invalid value ${item}, expected key=value`;
}
