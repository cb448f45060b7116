/**
 * The bake expression for a kept path (compose/keep-path.ts): Compose's path rule, evaluated by bake on the value
 * the environment gives, with the folders written as the bake file writes them (relative to its folder, or
 * absolute). For `context: ${DIR}` written from the project folder:
 *
 *   DIR == "" ? "." : can(regex("://|^(service:|github\\.com/|git@)", DIR)) ? DIR
 *     : substr(DIR, 0, 1) == "~" ? "${homedir()}/${substr(DIR, 1, -1)}" : substr(DIR, 0, 1) == "/" ? DIR : "./${DIR}"
 *
 * A value that is more than one variable is named once, by a one-item `for` (`[for p in ["${A}/x"] : …][0]`), so
 * each test reads it without repeating it. Tests that the value's leading literal text already decides are left
 * out (`/opt/${V}` is that text as it is; `~/${V}` an ssh key under homedir()). A relative path is always written
 * with its folder (`./x`, never `x`), so that bake does not read `target:x` or `service:x` as another target.
 * bake prints the path as written (`sub/../x`), Compose prints it cleaned: both name the same folder.
 */
import type { KeptPath, PathRule, WrittenFolders } from "../compose/keep-path";
import { hclString } from "./escape";

/** A template piece (expression.ts's Piece; repeated here so that module can import this one). */
type Piece = string | { expr: string };

/** compose-go's remote prefixes that hold no `://` (paths/context.go; the others are found by `://`). */
const REMOTE_PREFIXES = ["service:", "github.com/", "git@"];
/** compose-go's IsWindowsAbs beside path.IsAbs (paths/unix.go), one class per character. */
const UNIX_ABSOLUTE = [[/\//], [/[A-Za-z]/, /:/, /[/\\]/], [/[/\\]/, /[/\\]/, /[^/\\]/]];
export const UNIX_ABSOLUTE_REGEX = "^(/|[A-Za-z]:[/\\\\]|[/\\\\]{2}[^/\\\\])";

/** A kept list item's path (an ssh key, an additional context): its folders, set by paths.ts and the converter. */
export function keptItemPath(
  item: { readonly base?: string; readonly written?: WrittenFolders },
  rule: PathRule,
  what: string,
): KeptPath & { readonly written: WrittenFolders } {
  const written = item.written;
  if (item.base === undefined || written === undefined)
    throw new Error(`internal error: a kept ${what} item reached bake without its folders`);
  return { kind: "path", value: "", rule, base: item.base, written };
}

/** The pieces of the value of a kept path whose own value is `value` (rendered); may it be empty: `canBeEmpty`. */
export function keptPathPieces(value: readonly Piece[], kp: KeptPath, canBeEmpty: boolean): Piece[] {
  const written = kp.written;
  if (written === undefined) throw new Error("internal error: a kept path reached bake without its folders");
  const empty = kp.rule === "context" ? written.project : kp.rule === "unix" ? written.base : "";
  if (value.length === 0) return empty === "" ? [] : [empty];
  const lead = typeof value[0] === "string" ? value[0] : "";
  const first = lead.charAt(0);
  const contextRule = kp.rule !== "unix";
  // Absolute (or, for a context, remote): the value as it is.
  if (first === "/" || (contextRule && (lead.includes("://") || REMOTE_PREFIXES.some((r) => lead.startsWith(r)))))
    if (!(kp.rule === "additional-context" && lead.startsWith("service:"))) return [...value];
  const relative = (v: readonly Piece[]): Piece[] => [`${written.base}/`, ...v];
  // An ssh key or secret file under the home folder, whatever follows.
  if (!contextRule && first === "~") return [{ expr: "homedir()" }, "/" + lead.slice(1), ...value.slice(1)];
  // An ssh key or secret file that cannot be absolute: a relative path.
  if (!contextRule && lead !== "" && !UNIX_ABSOLUTE.some((classes) => mayStart(lead, classes))) return relative(value);

  const only = value.length === 1 ? value[0] : undefined;
  const named = typeof only === "object" && /^\w+$/.test(only.expr);
  const s = named ? only.expr : "p";
  const cases: string[] = [];
  const add = (condition: string, result: string) => cases.push(`${condition} ? ${result}`);
  if (canBeEmpty && lead === "") add(`${s} == ""`, hclString(empty));
  if (kp.rule === "additional-context" && (lead === "" || mayStartWith(lead, "service:")))
    add(`substr(${s}, 0, 8) == "service:"`, `"target:\${replace(substr(${s}, 8, -1), ".", "_")}"`);
  if (contextRule) {
    const prefixes = REMOTE_PREFIXES.filter(
      (r) => (r !== "service:" || kp.rule === "context") && (lead === "" || mayStartWith(lead, r)),
    );
    const pattern = ["://", ...(prefixes.length === 0 ? [] : [`^(${prefixes.map(regexText).join("|")})`])].join("|");
    add(`can(regex(${hclString(pattern)}, ${s}))`, s);
  }
  if (lead === "" || first === "~") add(`substr(${s}, 0, 1) == "~"`, `"\${homedir()}/\${substr(${s}, 1, -1)}"`);
  if (lead === "")
    add(contextRule ? `substr(${s}, 0, 1) == "/"` : `can(regex(${hclString(UNIX_ABSOLUTE_REGEX)}, ${s}))`, s);
  else if (!contextRule) add(`can(regex(${hclString(UNIX_ABSOLUTE_REGEX)}, ${s}))`, s);
  const otherwise = first === "~" && contextRule ? undefined : hclString({ template: relative([{ expr: s }]) });
  // The last case with no test left is the result when every other test fails.
  const body = otherwise === undefined ? withoutLastTest(cases) : [...cases, otherwise].join(" : ");
  if (named) return [{ expr: body }];
  const subject = value.length === 1 && typeof only === "object" ? only.expr : hclString({ template: [...value] });
  return [{ expr: `[for p in [${subject}] : ${body}][0]` }];
}

/** `a ? x : b ? y` (every case has a test) → `a ? x : y`: the last result is what is left. */
function withoutLastTest(cases: readonly string[]): string {
  const last = cases[cases.length - 1]!;
  const result = last.slice(last.indexOf(" ? ") + 3);
  return [...cases.slice(0, -1), result].join(" : ");
}

/** Whether a value starting with `lead` may start with `prefix`. */
function mayStartWith(lead: string, prefix: string): boolean {
  return lead.startsWith(prefix) || prefix.startsWith(lead);
}

/** Whether a value starting with `lead` may start with one character of each class in turn. */
function mayStart(lead: string, classes: readonly RegExp[]): boolean {
  for (let i = 0; i < Math.min(lead.length, classes.length); i++) if (!classes[i]!.test(lead.charAt(i))) return false;
  return true;
}

function regexText(s: string): string {
  return s.replace(/[.\\^$|?*+()[\]{}]/g, "\\$&");
}
