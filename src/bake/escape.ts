/**
 * String helpers shared by the two bake emitters (json.ts, hcl.ts): bake template escaping, HCL quoting,
 * HCL map keys, and the one sort order both emitters use.
 *
 * Every string value in a bake file, JSON or HCL, is an HCL *template*: bake evaluates it, so a literal `${`
 * must be written `$${` and a literal `%{` must be written `%%{` (buildx-bake-reference.md §6 "Escaping", §8).
 * This holds for attribute values, list elements, variable defaults and descriptions, and also for map keys:
 * HCL's JSON decoder interpolates object property names when it evaluates an object value (hashicorp/hcl
 * `json/structure.go`, "we allow keys to contain interpolation expressions too"), and a quoted key in native
 * HCL is a template like any quoted string. Block labels are the exception in JSON (a target's name is a plain
 * property name), while in native HCL a quoted label is a string literal in which `$${` is still the escape.
 *
 * How HCL reads escapes back (hashicorp/hcl `hclsyntax/scan_tokens.rl`, `scan_string_lit.rl`): the scanner
 * takes a `$` that is not followed by `{` as a one-character literal, and `$${` as the escape for `${`. So
 * replacing every `${` by `$${` is exact even when the text already contains `$${`: the literal `$${x}` is
 * written `$$${x}`, which reads back as `$` + `${x}`. The one case plain replacement cannot handle is a literal
 * ending in `$` directly before an interpolation: `$` + `${X}` would read as the escape `$${`. Such a run of
 * `$` is written as the interpolation of a string literal instead (`${"$"}${X}`); see `templateSegments`.
 * Tests: test/bake/escape.test.ts (checked against the Go HCL parser through @cdktf/hcl2json).
 */

import type { BakeString, BakeTarget } from "./model";

/** Escapes literal text for a bake template: `${` becomes `$${` and `%{` becomes `%%{`, nothing else. */
export function escapeTemplateText(s: string): string {
  return s.replace(/([$%])\{/g, "$1$1{");
}

/** One piece of a template as written: escaped literal text, or the source of an expression (no `${ }`). */
export type TemplateSegment = { readonly text: string } | { readonly expr: string };

/**
 * Splits a BakeString into the segments to write, in order: adjacent literal parts are joined first (escaping
 * them one by one could split a `${` across two parts and miss it), literal text is escaped, and a run of `$`
 * that ends a literal directly before an expression moves into an expression of its own (`"$"`), because
 * `$${` would read back as an escape. Empty literals are dropped.
 */
export function templateSegments(s: BakeString): TemplateSegment[] {
  if (typeof s === "string") return s === "" ? [] : [{ text: escapeTemplateText(s) }];
  const segments: TemplateSegment[] = [];
  let literal = "";
  for (const part of s.template) {
    if (typeof part === "string") {
      literal += part;
      continue;
    }
    // Scanned from the end, not with a `$`-anchored regex: that would be tried from every start and take
    // quadratic time on a long run of `$` that does not end the literal (`$$…$x${V}`).
    let cut = literal.length;
    while (cut > 0 && literal.charCodeAt(cut - 1) === 0x24) cut--;
    const head = literal.slice(0, cut);
    if (head !== "") segments.push({ text: escapeTemplateText(head) });
    if (cut < literal.length) segments.push({ expr: `"${literal.slice(cut)}"` });
    segments.push({ expr: part.expr });
    literal = "";
  }
  if (literal !== "") segments.push({ text: escapeTemplateText(literal) });
  return segments;
}

/**
 * The string to store in a JSON bake file for this value (before JSON quoting): literal text escaped for bake
 * templates, expressions as `${expr}`.
 *
 * A carriage return not followed by a line feed is written as `${"\r"}`: HCL's template scanner has no rule for
 * a lone CR outside a quoted string, gives up, and takes the rest of the string as literal text, so a later
 * `${TAG}` would not be interpolated (seen with hashicorp/hcl 2.14: `"a\rb${TAG}"` evaluates to `a\rb${TAG}`).
 * HCL files are not affected: hclString writes `\r` as an escape. A leading U+FEFF is written `${"\ufeff"}`
 * for the same reason (bake drops it from the start of a JSON string); HCL files keep it as is.
 */
export function jsonTemplateString(s: BakeString): string {
  // Most values are plain text that needs none of this: no `{` (so no `${` or `%{`), no CR, no leading U+FEFF.
  const text = plainText(s);
  if (text !== undefined && !JSON_TEMPLATE_WORK.test(text)) return text;
  return jsonTemplateFromSegments(s);
}

/** jsonTemplateString without its shortcut for plain text: every value written segment by segment. */
export function jsonTemplateFromSegments(s: BakeString): string {
  const out = templateSegments(s)
    .map((seg) => ("expr" in seg ? `\${${seg.expr}}` : seg.text.replace(/\r(?!\n)/g, () => '${"\\r"}')))
    .join("");
  // bake drops a U+FEFF that starts a JSON string (buildx 0.29.1: `"\ufeffabc"` reads back as `abc`, in values,
  // keys and variable defaults alike); as an expression it is kept.
  return out.startsWith("\ufeff") ? '${"\\ufeff"}' + out.slice(1) : out;
}

const JSON_TEMPLATE_WORK = /[{\r]|^\ufeff/;

/** The text of a BakeString that holds no expression (a string, or a template of literal parts only). */
function plainText(s: BakeString): string | undefined {
  if (typeof s === "string") return s;
  let text = "";
  for (const part of s.template) {
    if (typeof part !== "string") return undefined;
    text += part;
  }
  return text;
}

/**
 * A quoted HCL string literal (a template) for this value. Literal text gets template escaping and then HCL
 * quoted-string escaping (`\\`, `\"`, `\n`, `\r`, `\t`, other control characters as `\uXXXX`); expressions are
 * written as `${expr}` untouched. The result is always on one line. Used for values in HCL files and for the
 * strings nested inside kept-variable expressions (variables.ts) in both formats.
 */
export function hclString(s: BakeString): string {
  // Plain text with no `{` and nothing to quote is written as it is (most values).
  const text = plainText(s);
  if (text !== undefined && !HCL_STRING_WORK.test(text)) return '"' + text + '"';
  return hclStringFromSegments(s);
}

/** hclString without its shortcut for plain text: every value written segment by segment. */
export function hclStringFromSegments(s: BakeString): string {
  let out = '"';
  for (const seg of templateSegments(s)) out += "expr" in seg ? `\${${seg.expr}}` : hclQuoteText(seg.text);
  return out + '"';
}

/** What makes hclString do more than quote: a `{` (`${`, `%{`) or a character hclQuoteText escapes. */
const HCL_STRING_WORK = /[{"\\\u0000-\u001f\u007f-\u009f]/;

/** HCL quoted-string escaping of text that is already template-escaped. */
function hclQuoteText(s: string): string {
  // C0 controls, `"`, `\`, DEL and C1 controls; everything else (including non-ASCII) is written as is.
  return s.replace(/["\\\u0000-\u001f\u007f-\u009f]/g, (c) => {
    switch (c) {
      case '"':
        return '\\"';
      case "\\":
        return "\\\\";
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default:
        return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
    }
  });
}

const HCL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Words that are not safe as bare object keys: `for` right after `{` starts a for expression (the Go parser
 * fails with "Invalid 'for' expression"), and `true`/`false`/`null` are literals that HCL only happens to
 * accept as keys. Quoting them costs nothing.
 */
const HCL_KEY_KEYWORDS = new Set(["for", "in", "if", "true", "false", "null"]);

/** True when `k` can be written as a bare HCL identifier (an attribute name or an unquoted map key). */
export function isHclIdentifier(k: string): boolean {
  return HCL_IDENTIFIER.test(k) && !HCL_KEY_KEYWORDS.has(k);
}

/** A map key in HCL: a bare identifier when that is safe, otherwise a quoted (template-escaped) string. */
export function hclKey(k: string): string {
  return isHclIdentifier(k) ? k : hclString(k);
}

/** Plain UTF-16 code-unit order (what `<` does on strings), never locale order. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The own keys of `record` sorted by `compareCodeUnits`. */
export function sortedKeys(record: object): string[] {
  return Object.keys(record).sort(compareCodeUnits);
}

/** How an attribute's value is written. */
export type AttributeKind = "string" | "list" | "map" | "bool";

type KindOf<T> = T extends boolean
  ? "bool"
  : T extends readonly unknown[]
    ? "list"
    : T extends BakeString
      ? "string"
      : "map";

/**
 * The kind of every target attribute, checked against `BakeTarget` by the compiler: adding an attribute to
 * the interface fails type-checking here until its kind is given. Both emitters read it so they never guess a
 * kind from a value (a map with a key named `template` would look like a BakeTemplate).
 */
export const TARGET_ATTRIBUTE_KINDS: { readonly [K in keyof BakeTarget]-?: KindOf<NonNullable<BakeTarget[K]>> } = {
  context: "string",
  contexts: "map",
  dockerfile: "string",
  "dockerfile-inline": "string",
  args: "map",
  labels: "map",
  tags: "list",
  "cache-from": "list",
  "cache-to": "list",
  target: "string",
  secret: "list",
  ssh: "list",
  platforms: "list",
  output: "list",
  pull: "bool",
  "no-cache": "bool",
  network: "string",
  "no-cache-filter": "list",
  "shm-size": "string",
  ulimits: "list",
  entitlements: "list",
  "extra-hosts": "map",
  attest: "list",
};

/**
 * Throws when a target object holds a key that is not a bake attribute we know; the emitters would otherwise
 * drop it silently. This is a programming error in the converter, not a user error.
 */
export function checkTargetAttributes(name: string, target: BakeTarget): void {
  for (const key of Object.keys(target)) {
    if (!Object.prototype.hasOwnProperty.call(TARGET_ATTRIBUTE_KINDS, key)) {
      throw new Error(`internal error: target "${name}" has unknown bake attribute "${key}"`);
    }
  }
}
