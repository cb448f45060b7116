/**
 * The bake side of kept additional-context names (compose/keep-contexts.ts): a contexts list one of whose names holds
 * a variable is written as one expression that builds the map when bake runs, with Compose's meaning under every
 * environment: the entries merged in the list's order, so that the last one of a name wins, as in Compose's
 * mapping (and after a later file's merge), runs of entries with a literal name as one object:
 *
 *   - ${K}=ctx, b=${P}, c=./y  →  merge({ for m in [regex("^([^=]*)=([\\s\\S]*)$", "${K}=ctx")] : m[0] => <rule on m[1]> },
 *                                      { "b" = <rule on P>, "c" = "./y" })
 *
 * A kept item is cut at the first `=` of its value (which a variable's value may hold), and the rest gets
 * Compose's additional-context path rule (path-expression.ts) from the folder of the file that declared it; an
 * item that may hold no `=` gives no entry then (`if m[1] != ""`), its validation refusing it with Compose's
 * message. bake drops an entry whose value is empty, as it drops Compose's.
 */
import type { KeptContextItem, KeptContextList } from "../compose/keep-contexts";
import type { CheckProblem, KeptCheck } from "../compose/keep-forms";
import { invalidContextMessage } from "../compose/keep-contexts";
import { hclString } from "./escape";
import { keptItemPath, keptPathPieces } from "./path-expression";
import { argument, hclList, MergedMap, type Piece } from "./template-pieces";
import type { BakeVariableValidation } from "./model";

/** An item cut at its first `=`: the name (m[0]), then `=` when there is one (m[1]), then the value (m[2]). */
const CUT = hclString("^([^=]*)(=?)([\\s\\S]*)$");
/** The same for an item that holds a `=` whatever the environment: the name (m[0]) and the value (m[1]). */
const CUT_AT_EQUALS = hclString("^([^=]*)=([\\s\\S]*)$");

/** A value (with tokens) as template pieces: the expression writer's. */
type Render = (value: string) => Piece[];

/** The expression of a whole kept contexts list (see the file comment). */
export function contextListPieces(list: KeptContextList, render: Render): Piece[] {
  const map = new MergedMap();
  for (const entry of list.items) {
    if ("name" in entry) {
      map.put(entry.name, argument(render(entry.value)));
      continue;
    }
    const pieces = render(entry.item);
    if (pieces.length === 1 && typeof pieces[0] === "object") map.push(pieces[0].expr);
    else if (pieces.length > 0) throw new Error("internal error: a kept context item is not one expression");
  }
  return [{ expr: map.expression() }];
}

/** The expression of one kept item: an object of one entry (none when it holds no `=`). */
export function contextItemPieces(item: KeptContextItem, render: Render): Piece[] {
  const rule = keptItemPath(item, "additional-context", "context");
  const pieces = render(item.value);
  const value = (at: string) => argument(keptPathPieces([{ expr: at }], rule, true));
  if (pieces.every((p): p is string => typeof p === "string")) {
    // Every reference known: cut now (the value's rule still written for bake, which knows the home folder).
    const text = pieces.join("");
    const eq = text.indexOf("=");
    if (eq < 0) return [{ expr: "{}" }];
    const v = text.slice(eq + 1);
    const path = v === "" ? hclString("") : argument(keptPathPieces([v], rule, false));
    return [{ expr: `{ ${hclString(text.slice(0, eq))} = ${path} }` }];
  }
  const x = argument(pieces);
  if (pieces.some((p) => typeof p === "string" && p.includes("=")))
    return [{ expr: `{ for m in [regex(${CUT_AT_EQUALS}, ${x})] : m[0] => ${value("m[1]")} }` }];
  return [{ expr: `{ for m in [regex(${CUT}, ${x})] : m[0] => ${value("m[2]")} if m[1] != "" }` }];
}

/** Compose's refusal of an item without `=`, for an item whose references are all known. */
export function contextItemProblem(text: string, path: string): string | undefined {
  return text.includes("=") ? undefined : invalidContextMessage(path, text);
}

/** The validation of an item that may come out without `=`. */
export function contextItemValidation(value: string, path: string, render: Render): BakeVariableValidation {
  const pieces = render(value);
  return {
    condition: `can(regex("=", ${argument(pieces)}))`,
    error_message: { template: [`${path}: invalid value `, ...pieces, ", expected key=value"] },
  };
}

/** Compose's refusal of an empty name met as a mapping key, for an item whose references are all known. */
export function contextNameProblem(text: string, path: string): string | undefined {
  return text.startsWith("=") ? `${path} additional properties '' not allowed` : undefined;
}

/** The validation of an item a later document meets as a mapping key: its name must not come out empty. */
export function contextNameValidation(value: string, path: string, render: Render): BakeVariableValidation {
  return {
    condition: `substr(${argument(render(value))}, 0, 1) != "="`,
    error_message: `${path} additional properties '' not allowed`,
  };
}

/** A `context-service` check (compose/keep-forms.ts). */
type ContextServiceCheck = Extract<KeptCheck, { readonly rule: "context-service" }>;

/** compose-go's message for a `service:` context naming no active service with a build. */
function contextServiceMessage(service: string, kind: "unknown" | "non-buildable", ref: string, name: string) {
  return `service "${service}" declares ${kind} service "${ref}" as additional contexts ${name}`;
}

/** The `context-service` check on values whose references are all known: Compose's refusal, or undefined. */
export function contextServiceProblem(
  check: ContextServiceCheck,
  textOf: (value: string) => string,
): CheckProblem | undefined {
  const text = textOf(check.item);
  const eq = text.indexOf("=");
  if (check.name === undefined && eq < 0) return undefined; // refused as an item without `=` (context-item)
  const name = check.name ?? text.slice(0, eq);
  const laterItemNames = check.laterItems.map((i) => textOf(i).split("=", 1)[0]!);
  if (check.laterNames.includes(name) || laterItemNames.includes(name)) return undefined;
  const value = check.name === undefined ? text.slice(eq + 1) : text;
  if (!value.startsWith("service:")) return undefined;
  const ref = value.slice("service:".length);
  if (check.buildable.includes(ref)) return undefined;
  if (!check.active.includes(ref))
    return { code: "unknown-context-service", message: contextServiceMessage(check.service, "unknown", ref, name) };
  const message = contextServiceMessage(check.service, "non-buildable", ref, name);
  return { code: "non-buildable-context-service", message };
}

/** The `context-service` check as bake's validation: the context that comes out `service:X` names a buildable X. */
export function contextServiceValidation(check: ContextServiceCheck, render: Render): BakeVariableValidation {
  const x = argument(render(check.item));
  const nameOf = (item: string) => `regex("^[^=]*", ${item})`;
  // An item without `=` gives "" here: its own validation refuses it (context-item).
  const value = check.name === undefined ? `try(regex(${CUT_AT_EQUALS}, ${x})[1], "")` : x;
  const name = check.name === undefined ? nameOf(x) : hclString(check.name);
  const ref = `substr(${value}, 8, -1)`;
  const later = [
    ...check.laterNames.map((n) => hclString(n)),
    ...check.laterItems.map((i) => nameOf(argument(render(i)))),
  ];
  const replaced = later.length > 0 ? [`contains([${later.join(", ")}], ${name})`] : [];
  const kind = `contains(${hclList(check.active)}, ${ref}) ? "non-buildable" : "unknown"`;
  return {
    condition: [
      ...replaced,
      `substr(${value}, 0, 8) != "service:"`,
      `contains(${hclList(check.buildable)}, ${ref})`,
    ].join(" || "),
    // contextServiceMessage's words, with the parts bake knows.
    error_message: {
      template: [
        `service "${check.service}" declares `,
        { expr: kind },
        ' service "',
        { expr: ref },
        '" as additional contexts ',
        check.name ?? { expr: name },
      ],
    },
  };
}
