/**
 * The bake side of kept ssh ids (compose/keep-ssh.ts): an ssh list whose ids hold references is written as a list
 * bake reads with Compose's meaning under every environment. bake cuts each entry at its first `=` (buildx
 * util/buildflags/ssh.go), drops an empty one and keeps the last entry of each id (checked with buildx 0.29.1),
 * which is what Compose's mapping does with the list; so each item stays an entry, in the list's order, and only
 * its path needs an expression: Compose gives the text after the item's first `=` (which a variable's value may
 * hold) its ssh path rule (path-expression.ts), from the folder of the file that declared the list:
 *
 *   - ${ID}=keys/id  →  [for m in [regex("^([^=]*)=([\\s\\S]*)$", "${ID}=keys/id")] : "${m[0]}=${<rule on m[1]>}"][0]
 *   - ${ID}          →  the same with `(=?)`, and `m[0]` alone when the value holds no `=` (the agent)
 *
 * The mapping entries a later file (or an extending service) writes over the list follow it, so they win as in
 * Compose; but one with no path (`{default: null}`) keeps a path the list gave that id, so it comes before the
 * list, where the list's entry of that id wins (with its path, or as the agent: the same). Compose's checks
 * become validations: an item without `=` must be `default`, and the items must differ (the schema's
 * uniqueItems).
 */
import type { ComposeSsh } from "../compose/model";
import type { KeptVariables } from "../compose/keep";
import type { KeptSshItem } from "../compose/keep-ssh";
import { isKeptSshItem } from "../compose/keep-ssh";
import { hasToken } from "../compose/keep-token";
import { maybeUnixPath } from "../compose/paths";
import { goQuote } from "../compose/go-format";
import { compareCodeUnits, hclString } from "./escape";
import { keptItemPath, keptPathPieces, UNIX_ABSOLUTE_REGEX } from "./path-expression";
import { argument, operand, type Piece } from "./template-pieces";
import type { BakeVariableValidation } from "./model";

/** An item cut at its first `=`: the id (m[0]), then `=` when there is one (m[1]), then the path (m[2]). */
const CUT = hclString("^([^=]*)(=?)([\\s\\S]*)$");
/** The same for an item that holds a `=` whatever the environment: the id (m[0]) and the path (m[1]). */
const CUT_AT_EQUALS = hclString("^([^=]*)=([\\s\\S]*)$");

/** A value (with tokens) as template pieces: the expression writer's. */
type Render = (value: string) => Piece[];

/** The pieces of one item of a kept ssh list (see the file comment). */
export function sshItemPieces(item: KeptSshItem, render: Render): Piece[] {
  const rule = keptItemPath(item, "unix", "ssh");
  const written = rule.written;
  const pieces = render(item.value);
  if (pieces.every((p): p is string => typeof p === "string")) {
    // Every reference known: cut now, and the path's rule decided now (but `~`, the home folder of bake's run).
    const text = pieces.join("");
    const eq = text.indexOf("=");
    if (eq < 0) return text === "" ? [] : [text];
    const path = text.slice(eq + 1);
    const id = text.slice(0, eq + 1);
    if (path === "") return [id + written.base];
    if (new RegExp(UNIX_ABSOLUTE_REGEX).test(path)) return [id + path];
    return [id, ...(path.startsWith("~") ? keptPathPieces([path], rule, false) : [`${written.base}/${path}`])];
  }
  const x = argument(pieces);
  const withPath = (at: string) =>
    hclString({ template: [{ expr: "m[0]" }, "=", ...keptPathPieces([{ expr: at }], rule, true)] });
  if (pieces.some((p) => typeof p === "string" && p.includes("=")))
    return [{ expr: `[for m in [regex(${CUT_AT_EQUALS}, ${x})] : ${withPath("m[1]")}][0]` }];
  return [{ expr: `[for m in [regex(${CUT}, ${x})] : m[1] == "" ? m[0] : ${withPath("m[2]")}][0]` }];
}

/** Compose's message when an item without `=` is not `default`, for an item whose references are all known. */
export function sshKeyProblem(text: string): string | undefined {
  return text.includes("=") || text === "default" ? undefined : `invalid ssh key ${goQuote(text)}`;
}

/** The validation of an item that may come out without `=`: it must then be `default`. */
export function sshKeyValidation(value: string, render: Render): BakeVariableValidation {
  const pieces = render(value);
  return {
    condition: `can(regex("=", ${argument(pieces)})) || ${operand(pieces)} == "default"`,
    error_message: { template: ['invalid ssh key "', ...pieces, '"'] },
  };
}

/** Compose's message when two items come out equal, for items whose references are all known. */
export function uniqueItemsProblem(items: readonly string[], path: string): string | undefined {
  return new Set(items).size === items.length ? undefined : `${path} must be a mapping`;
}

/** The validation that the items of a list come out different (the schema's uniqueItems, as Compose words it). */
export function uniqueItemsValidation(items: readonly string[], path: string, render: Render): BakeVariableValidation {
  return {
    condition: `length(distinct([${items.map((i) => argument(render(i))).join(", ")}])) == ${items.length}`,
    error_message: `${path} must be a mapping`,
  };
}

/** What keptSshEntries needs of the converter. */
export interface SshConverter {
  /** A value holding kept items, with the folders as the file writes them. */
  keptPath(value: string): string;
  /** A literal entry, its path absolute (or none: the agent). */
  sshEntry(s: ComposeSsh): string;
}

/**
 * The `ssh` entries of a build whose list holds kept items: the mapping entries written over it with no path
 * (sorted by id), the group's items in their order (a literal one as any literal entry, unless its path is under
 * `~`), then the mapping entries with a path (sorted by id).
 */
export function keptSshEntries(entries: readonly ComposeSsh[], kept: KeptVariables, cv: SshConverter): string[] {
  const item = (s: ComposeSsh): string => {
    const piece = kept.split(s.id)[0];
    if (typeof piece !== "object" || piece.kind !== "form" || piece.form !== "ssh-item")
      throw new Error("internal error: a kept ssh id is not a kept ssh item");
    const { value, base } = piece;
    const eq = value.indexOf("=");
    if (hasToken(value) || base === undefined || value.startsWith("~", eq + 1)) return cv.keptPath(s.id);
    if (eq < 0) return cv.sshEntry({ id: value });
    const path = maybeUnixPath(value.slice(eq + 1), { workingDir: base, home: "" });
    return cv.sshEntry({ id: value.slice(0, eq), path });
  };
  const over = entries.filter((s) => !isKeptSshItem(s.id)).sort((x, y) => compareCodeUnits(x.id, y.id));
  return [
    ...over.filter((s) => s.path === undefined).map(cv.sshEntry),
    ...entries.filter((s) => isKeptSshItem(s.id)).map(item),
    ...over.filter((s) => s.path !== undefined).map(cv.sshEntry),
  ];
}
