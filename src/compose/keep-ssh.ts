/**
 * Kept ssh ids (issue #13 item 1): in keep mode an ssh list item whose id holds a `${VAR}` reference
 * (`- ${ID}=keys/id`, `- ${ID}`) stays a bake expression instead of being resolved as if unset.
 *
 * What Compose does with such a list (compose-go transform/ssh.go, checked with docker compose 2.40.3): it
 * interpolates every item, checks the list against the schema (items unique, else `services.S.build.ssh must be
 * a mapping`), then cuts each item at its first `=` into a mapping id → path: a repeated id keeps its last
 * path, an item without `=` must be `default` (else `invalid ssh key "x"`) and stands for the agent; the path
 * gets the ssh path rule (paths.ts maybeUnixPath) from the folder of the file that declared the list. A later
 * file or an extending service writes a mapping over it (a list there is refused), whose entries replace the
 * list's by id, except that an id with no path keeps a path the list gave it.
 *
 * Bake reads `ssh` as a list of `id=path` entries and keeps the last entry of each id, so the list is written
 * in its order, one item per entry: the whole list becomes one group, every item (literal ones too) a token of
 * its own (`ssh-item`), so that no merge collapses or reorders them; the mapping entries written over it follow
 * the group, but those with no path come before it, where the group's entry of that id wins. bake/kept-ssh.ts
 * writes the expressions, and Compose's two checks become bake validations (keep-forms.ts).
 */
import { hasToken } from "./keep-token";
import type { WrittenFolders } from "./keep-path";

/** One item of a kept ssh list (see the file comment): written as bake reads it, with Compose's meaning. */
export interface KeptSshItem {
  readonly kind: "form";
  readonly form: "ssh-item";
  /** The item as written, with the tokens of its own references (a literal item has none). */
  readonly value: string;
  /** Absolute folder the path is relative to: that of the file that declared the list (set by paths.ts). */
  readonly base?: string;
  /** How the converter writes folders (set when the target is converted). */
  readonly written?: WrittenFolders;
}

/**
 * In keep mode, an ssh list item that is a kept item: its id held a reference, so the loader made the whole item
 * one token (keep.ts), which holds no literal `=` (an item whose id is literal is `id=…` as written).
 */
export function isKeptSshItem(item: unknown): item is string {
  return typeof item === "string" && hasToken(item) && !item.includes("=");
}

/** `services.<name>.build.ssh.<index>`: an item of a list-form `ssh`. */
export function isSshListItem(segs: readonly string[], inList: boolean): boolean {
  return inList && segs.length === 5 && segs[0] === "services" && segs[2] === "build" && segs[3] === "ssh";
}
