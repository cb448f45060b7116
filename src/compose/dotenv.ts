/**
 * The env-file syntax of `.env`, `--env-file` and a service's `env_file:`, reproducing compose-go's `dotenv` package
 * (v2.13.0, `dotenv/parser.go` and `godotenv.go`; rules in ../shared/docs/compose-loading-reference.md §3.2).
 *
 * The parser is a statement loop, not a line loop, exactly like compose-go's: skip whitespace and `#` comment lines,
 * read a key up to `=`, `:` or a newline, then read an unquoted, single-quoted or double-quoted value. Reading a
 * statement at a time is what makes some inputs behave in ways a line-based parser would not, and we copy them:
 *
 * - Text after a closing quote is not skipped: it starts the next statement (`A="x" # c` is fine because `#` starts
 *   a comment; `A="x" B=2` also sets B; `A="x" junk` reads `junk` as a key).
 * - A key with no `=`, `:` or newline before the end of the text (`FOO` as the last line, without a final newline)
 *   is not a bare key: compose-go reads the whole rest as the value of the empty key "" (`{"": "FOO"}`).
 *   A bare key followed by a newline inherits its value from `lookup`, or is left out when `lookup` has none.
 * - An unquoted value is cut at the first ` #` (space then hash), after the spaces following `=` were skipped, so
 *   `A= #x` gives `#x`; other whitespace before `#` does not start a comment.
 * - A backslash escapes the quote character in both quote styles (`'it\'s'`); any other escaped character keeps
 *   its backslash, and only double-quoted values then expand `\a \b \f \n \r \t \v \\ \" \$ \0NNN`
 *   (`\0NNN` is an octal byte, 3 digits, at most `\0377`; a shorter or larger one loses its `0`: `\01` → `\1`).
 * - `${}` expansion (unquoted and double-quoted values) uses the full Compose grammar (./interpolate.ts), looking
 *   names up in `lookup` first and then in the keys read so far from this text. A bare key only looks at `lookup`.
 *
 * Differences from compose-go, on purpose (error messages only):
 * - No message shows a value, nor the text of a line: an env file may hold secrets, and `--env-file` may name a
 *   file that is no env file at all. Messages give the position and the key (compose-go prints the rest of the
 *   line for a bad key, the value for an unterminated quote, and the value for an interpolation error).
 * - An unterminated quote is reported on the line where the quoted value starts; compose-go reports the line it
 *   reached after scanning the rest of the file for the closing quote.
 * - An interpolation error is prefixed with `line N:` (compose-go gives no line) and keeps the error as `cause`.
 */
import {
  type InterpolateOptions,
  interpolate,
  InterpolationSyntaxError,
  type Lookup,
  RequiredVariableError,
} from "./interpolate";

export class DotenvError extends Error {
  constructor(
    /** 1-based line of the problem. */
    readonly line: number,
    /** Offset of the problem in the text given to `parseDotenv`. */
    readonly offset: number,
    detail: string,
    options?: { cause: InterpolationSyntaxError | RequiredVariableError },
  ) {
    super(`line ${line}: ${detail}`, options);
    this.name = "DotenvError";
  }
}

/**
 * Parses env-file text. `lookup` resolves `${X}` and bare keys: compose-go looks at the process env first, then keys
 * already read (this file or earlier files) — the caller passes a lookup that does that; inside, keys read earlier in
 * *this* text are visible to later `${X}` through a fallback to the values parsed so far. Returns entries in file
 * order (a later duplicate key overrides the value, keeping the first position). `earlier` (the keys of earlier env
 * files of the same pass) comes last: after this text's own keys for `${X}`, right after `lookup` for a bare key.
 * `options.onUnset` is called for
 * `$X`/`${X}` that nothing resolves (compose-go logs its usual warning for those).
 */
export function parseDotenv(
  text: string,
  lookup: Lookup,
  options?: InterpolateOptions,
  earlier?: Lookup,
): Map<string, string> {
  const out = new Map<string, string>();
  const resolve: Lookup = (name) => lookup(name) ?? out.get(name) ?? earlier?.(name);
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 BOM is skipped

  for (;;) {
    pos = statementStart(text, pos);
    if (pos < 0) break;
    const statement = pos;

    // `export` followed by whitespace (Go's `\s`: tab, newline, form feed, carriage return, space) is dropped.
    let keyStart = pos;
    if (text.startsWith("export", pos) && isGoRegexpSpace(text.charCodeAt(pos + 6))) {
      keyStart = pos + 6;
      while (keyStart < n && isInlineSpace(text.charCodeAt(keyStart))) keyStart++;
      if (keyStart >= n) throw new DotenvError(lineOf(text, statement), statement, "zero length string");
    }

    // The key runs to `=`, `:` or a newline; spaces inside are skipped here and rejected below.
    let sep = -1;
    for (let i = keyStart; i < n;) {
      const c = text.codePointAt(i)!;
      if (c === 0x3d || c === 0x3a || c === 0x0a) {
        sep = i;
        break;
      }
      if (!isInlineSpace(c) && !isKeyChar(c)) {
        throw new DotenvError(
          lineOf(text, i),
          i,
          `unexpected character ${goQuote(String.fromCodePoint(c))} in variable name`,
        );
      }
      i += c > 0xffff ? 2 : 1;
    }
    const key = sep < 0 ? "" : trimEndUnicodeSpace(text.slice(keyStart, sep));
    if (key.includes(" ")) throw new DotenvError(lineOf(text, statement), statement, "key cannot contain a space");

    if (sep >= 0 && text.charCodeAt(sep) === 0x0a) {
      // A bare key: inherits from lookup only (compose-go does not look at this file's keys here).
      const inherited = lookup(key) ?? earlier?.(key);
      if (inherited !== undefined) out.set(key, inherited);
      pos = sep + 1;
      continue;
    }

    let valueStart = sep < 0 ? keyStart : sep + 1;
    while (valueStart < n && isInlineSpace(text.charCodeAt(valueStart))) valueStart++;
    const quote = text.charCodeAt(valueStart);

    if (quote !== 0x22 && quote !== 0x27) {
      let lineEnd = text.indexOf("\n", valueStart);
      if (lineEnd < 0) lineEnd = n;
      let raw = text.slice(valueStart, lineEnd);
      const comment = raw.indexOf(" #");
      if (comment >= 0) raw = raw.slice(0, comment);
      raw = trimEndUnicodeSpace(raw);
      out.set(key, expand(text, key, raw, valueStart, valueStart, resolve, options));
      pos = lineEnd;
      continue;
    }

    // Quoted: find the closing quote; a backslash escapes the next character.
    let chars = "";
    let closing = -1;
    let escaped = false;
    let runStart = valueStart + 1;
    for (let i = valueStart + 1; i < n; i++) {
      const c = text.charCodeAt(i);
      if (escaped) {
        escaped = false;
        if (c === quote) {
          chars += text.slice(runStart, i - 1); // drop the backslash before an escaped quote
          runStart = i;
        }
        continue;
      }
      if (c === 0x5c) {
        escaped = true;
      } else if (c === quote) {
        closing = i;
        break;
      }
    }
    if (closing < 0) {
      throw new DotenvError(lineOf(text, valueStart), valueStart, `unterminated quoted value of ${goQuote(key)}`);
    }
    chars += text.slice(runStart, closing);
    const value = quote === 0x27 ? chars : expand(text, key, expandEscapes(chars), valueStart, -1, resolve, options);
    out.set(key, value);
    pos = closing + 1;
  }
  return out;
}

/**
 * Interpolates the value of `key`. An error points at `valueOffset + error offset` when the value is the file's
 * own text (`textOffset` >= 0, unquoted values), else at the opening quote; its message names the key and the
 * variable, never the value nor the message after `:?` (both are the file's text).
 */
function expand(
  text: string,
  key: string,
  value: string,
  valueOffset: number,
  textOffset: number,
  lookup: Lookup,
  options: InterpolateOptions | undefined,
): string {
  try {
    return interpolate(value, lookup, options);
  } catch (e) {
    if (e instanceof InterpolationSyntaxError || e instanceof RequiredVariableError) {
      const at = textOffset >= 0 ? textOffset + e.offset : valueOffset;
      const what =
        e instanceof RequiredVariableError
          ? `required variable ${e.variable} is missing a value`
          : "invalid interpolation format";
      throw new DotenvError(lineOf(text, at), at, `${what} in the value of ${goQuote(key)}`, { cause: e });
    }
    throw e;
  }
}

/** Offset of the next statement, skipping whitespace (newlines included) and `#` comment lines; -1 at the end. */
function statementStart(text: string, pos: number): number {
  const n = text.length;
  for (;;) {
    while (pos < n && isUnicodeSpace(text.charCodeAt(pos))) pos++;
    if (pos >= n) return -1;
    if (text.charCodeAt(pos) !== 0x23) return pos;
    pos = text.indexOf("\n", pos);
    if (pos < 0) return -1;
  }
}

/** Double-quoted escapes, as compose-go's `expandEscapes` (`\$` becomes `$$`, which interpolation turns into `$`). */
const ESCAPE = /\\(?:[abcfnrtv$"\\]|0[0-9]{0,3})/g;
const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
  $: "$$",
};

function expandEscapes(value: string): string {
  if (value.indexOf("\\") === -1) return value;
  return value.replace(ESCAPE, (match) => {
    const c = match[1]!;
    if (c !== "0") return SIMPLE_ESCAPES[c] ?? match; // `\c` is matched but is no Go escape: kept
    // compose-go rewrites `\0NNN` to Go's `\NNN`: exactly three octal digits, at most 0377, else left rewritten.
    const digits = match.slice(2);
    if (/^[0-7]{3}$/.test(digits)) {
      const code = parseInt(digits, 8);
      if (code <= 0xff) return String.fromCharCode(code);
    }
    return "\\" + digits;
  });
}

/** compose-go's `isSpace`: whitespace other than a line break. */
function isInlineSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0x0d || c === 0x85 || c === 0xa0;
}

/** Go's `unicode.IsSpace` (JavaScript's `\s` differs: it has U+FEFF and lacks U+0085). */
function isUnicodeSpace(c: number): boolean {
  if (c <= 0xff) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0;
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Go's regexp `\s`: `[\t\n\f\r ]`. */
function isGoRegexpSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;

/** Key characters: letters and numbers (Unicode), `_ . - [ ]`. */
function isKeyChar(c: number): boolean {
  if (c < 0x80) {
    return (
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x5f ||
      c === 0x2e ||
      c === 0x2d ||
      c === 0x5b ||
      c === 0x5d
    );
  }
  return LETTER_OR_NUMBER.test(String.fromCodePoint(c));
}

function trimEndUnicodeSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isUnicodeSpace(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** 1-based line of an offset; only computed for errors. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** Go's `%q` for the strings in our messages: `"` and `\` escaped, control and space-like characters as escapes. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    if (c !== 0x20 && /[\p{C}\p{Z}]/u.test(ch)) {
      if (c < 0x80) out += "\\x" + c.toString(16).padStart(2, "0");
      else if (c <= 0xffff) out += "\\u" + c.toString(16).padStart(4, "0");
      else out += "\\U" + c.toString(16).padStart(8, "0");
    } else {
      out += ch;
    }
  }
  return out + '"';
}
