/**
 * Generators and helpers for the property tests (issue #7 part 4): literal strings full of the characters that
 * every layer escapes differently (YAML quotes, Compose's `$$`, bake's `$${` and `%%{`, HCL and JSON quoting),
 * their YAML and Compose encodings, and temporary projects.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";

/** Pieces that each exercise an escape somewhere, mixed with ordinary text. */
const PIECES = [
  "${",
  "%{",
  "$${",
  "$$",
  "$",
  "%",
  "{",
  "}",
  "${X}",
  "$X",
  "%{ if x }",
  "\\",
  "\\n",
  '"',
  "'",
  "\n",
  "\t",
  "\r",
  "\r\n",
  " ",
  "  ",
  "#",
  " #",
  ":",
  ": ",
  "- ",
  ",",
  "=",
  "é",
  "日本",
  "😀",
  "\u00a0",
  "\u200b",
  "ß",
  "\u{10ffff}",
];

/** A literal string: what a user wants to end up in the bake file, character for character. */
export const literal = (options: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
        { weight: 2, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 4 }) },
      ),
      {
        minLength: options.minLength ?? 0,
        maxLength: options.maxLength ?? 8,
      },
    )
    .map((parts) => parts.join(""))
    .filter((s) => s.length >= (options.minLength ?? 0));

/** A literal that is not empty and has no leading or trailing whitespace (for names and tags). */
export const word = literal({ minLength: 1 }).filter((s) => s.trim() === s && s !== "");

/** Names safe in every position (service names, secret ids, variable names). */
export const safeName = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);

/** Compose's escape: every `$` doubled, so interpolation gives the text back unchanged. */
export function composeEscape(s: string): string {
  return s.replace(/\$/g, "$$$$");
}

/**
 * A YAML double-quoted scalar for any string: `\` and `"` escaped, and every character outside YAML's printable
 * set (and the ones go-yaml reads as line breaks, NEL, LS and PS) as an escape.
 */
export function yamlQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (
      c < 0x20 ||
      (c >= 0x7f && c <= 0xa0) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0xfeff ||
      (c >= 0xfffe && c <= 0xffff)
    ) {
      out += "\\u" + c.toString(16).padStart(4, "0");
    } else out += ch;
  }
  return out + '"';
}

/** A Compose string scalar whose value after interpolation is exactly `s`. */
export function composeString(s: string): string {
  return yamlQuote(composeEscape(s));
}

/** A fresh temporary folder (removed by the OS's tmp cleaning; tests write little). */
export function tempDir(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** Copies a folder recursively. */
export function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

/** Every string in a JSON value, with the path it was found at. */
export function stringsOf(value: unknown, at = ""): Array<[string, string]> {
  if (typeof value === "string") return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsOf(v, `${at}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [
      [`${at}{key}`, k] as [string, string],
      ...stringsOf(v, `${at}.${k}`),
    ]);
  }
  return [];
}

/** Runs for each property (≤ 200, so the folder stays well under 30 s); C2B_PROPERTY_RUNS=5000 for a long search. */
export const RUNS = Number(process.env.C2B_PROPERTY_RUNS ?? 200);
