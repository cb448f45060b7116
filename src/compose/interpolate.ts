/**
 * Compose's `${VAR}` interpolation, reproducing compose-go's `template` package (v2.13.0, `template/template.go`;
 * rules in ../shared/docs/compose-loading-reference.md §2).
 *
 * compose-go works with one regular expression,
 *   \$(?i:(?P<escaped>\$)|(?P<named>[_a-z][_a-z0-9]*)|{(?:(?P<braced>[_a-z][_a-z0-9]*(?::?[-+?](.*))?)}|(?P<invalid>)))
 * followed by a brace count that cuts the greedy braced match back to its own closing brace. We do the same work
 * with a hand-written scanner (`scanDollar`), because a scanner can (a) report the offset of an error inside the
 * string, (b) give the parsed structure that "keep" mode needs (`parseTemplate`), and (c) stay cheap on the
 * common string that holds no `$` at all. The consequences of that regex which are easy to miss, and which the
 * scanner copies on purpose:
 *
 * - `.` does not match a newline, so a default/alternative/message never spans lines: `${A:-x\ny}` is invalid.
 * - The greedy `(.*)}` reaches the last `}` of the line; the closing brace is then found by counting. The count
 *   (`getFirstBraceClosingIndex`) adds one for every `{` and **skips the character after it**, and falls back to
 *   that last `}` when the count never returns to zero. So `${A:-{x}}` has the default `{x}`, `${A:-{}}` has `{}`,
 *   and `${A:-{}}x}` has `{}}x` (the `}` right after `{` is skipped). Pinned by "counts braces like compose-go".
 * - The operator is the earliest operator text after the name (`${V-a?b}` is a default of `a?b`).
 * - `(?i)[a-z]` in Go also matches U+017F (ſ) and U+212A (Kelvin sign K), which fold to s and k, so they are
 *   name characters too. Nobody writes them, but it costs nothing to agree.
 *
 * Evaluation is lazy like v2.13.0: a default, alternative or error message is interpolated only when it is used,
 * so an unused default neither warns nor fails, even if it is malformed (`${SET:-${}}` is fine when SET is set).
 * `parseTemplate` is stricter: it rejects a malformed default whether or not it would be used, because keep mode
 * cannot know which branch bake will take.
 *
 * Differences from compose-go, on purpose:
 * - compose-go keeps substituting after the first error (it only records it), so it may log "variable is not set"
 *   warnings for references after the failing one; we stop at the first error.
 * - compose-go's invalid-template error carries the text of the innermost template (for a nested default, just the
 *   default). Our message always quotes the whole original value, with `offset` pointing at the bad `$`.
 * - The message of `${V:?message}` is reported as written, references included (`need ${TOKEN}`): compose-go
 *   interpolates it, which prints the values of environment variables, and those may be secrets.
 */

import {
  InterpolationDepthError,
  InterpolationError,
  InterpolationSyntaxError,
  MAX_INTERPOLATION_DEPTH,
  RequiredVariableError,
} from "./interpolation-errors";
import { outcome, type Operator } from "./operators";

export {
  InterpolationDepthError,
  InterpolationError,
  InterpolationSyntaxError,
  MAX_INTERPOLATION_DEPTH,
  RequiredVariableError,
};

export type { Operator };

export type Lookup = (name: string) => string | undefined;

/** Parsed template: literal text and variable references. */
export type TemplatePart =
  /** Literal text; `$$` already reduced to `$`. */
  | { kind: "text"; text: string }
  /**
   * `$NAME` (braced: false) or `${NAME}` / `${NAME<op><arg>}` (braced: true). `arg` is the parsed
   * default/alternative/error text (present exactly when `op` is). `start`/`end` are offsets of the whole reference
   * (`$` up to and including `}`) in the string given to `parseTemplate`, also inside `arg`.
   */
  | {
      kind: "var";
      name: string;
      braced: boolean;
      op?: Operator;
      arg?: TemplatePart[];
      start: number;
      end: number;
    };

export interface InterpolateOptions {
  /**
   * Called for `$V` / `${V}` when V is unset; compose warns `The "V" variable is not set. Defaulting to a blank
   * string.` Not called for references that have an operator (`${V:-x}`, `${V?}`…), nor for unused branches.
   */
  onUnset?: (name: string) => void;
}

// ---------------------------------------------------------------------------------------------------------------
// Scanner

const DOLLAR = 0x24;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const QUESTION = 0x3f;

function isNameStart(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    c === 0x5f || // _
    c === 0x17f || // ſ, folds to s under Go's (?i)
    c === 0x212a // Kelvin sign, folds to k under Go's (?i)
  );
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39);
}

function isOperatorChar(c: number): boolean {
  return c === MINUS || c === PLUS || c === QUESTION;
}

/**
 * What a `$` starts (plain numbers rather than a const enum, which isolated-module builds cannot inline). The
 * details go to module-level fields set by `scanDollar`, to avoid an allocation per reference.
 */
type Tok = 0 | 1 | 2 | 3;
const Tok = { Literal: 0, Escape: 1, Named: 2, Braced: 3 } as const;

let tokEnd = 0;
let tokName = "";
let tokOp: Operator | undefined;
let tokArgStart = 0;
let tokArgEnd = 0;

/**
 * Reads what the `$` at `i` starts, treating `limit` as the end of the string. Sets the `tok*` fields.
 * Throws InterpolationSyntaxError for `${` that is not a valid reference.
 */
function scanDollar(text: string, i: number, limit: number): Tok {
  const next = i + 1 < limit ? text.charCodeAt(i + 1) : -1;
  if (next === DOLLAR) {
    tokEnd = i + 2;
    return Tok.Escape;
  }
  if (next !== LBRACE) {
    if (!isNameStart(next)) return Tok.Literal; // `$ `, `$}`, `$1`, `$` at the end: kept as they are
    let j = i + 2;
    while (j < limit && isNameChar(text.charCodeAt(j))) j++;
    tokName = text.slice(i + 1, j);
    tokOp = undefined;
    tokEnd = j;
    return Tok.Named;
  }
  // `${`: a valid braced reference, or an error (the regex's empty `invalid` group).
  const nameStart = i + 2;
  if (nameStart >= limit || !isNameStart(text.charCodeAt(nameStart))) throw new InterpolationSyntaxError(i, text);
  let k = nameStart + 1;
  while (k < limit && isNameChar(text.charCodeAt(k))) k++;
  if (k >= limit) throw new InterpolationSyntaxError(i, text);
  tokName = text.slice(nameStart, k);
  const c = text.charCodeAt(k);
  if (c === RBRACE) {
    tokOp = undefined;
    tokEnd = k + 1;
    return Tok.Braced;
  }
  let opEnd: number;
  if (c === COLON && k + 1 < limit && isOperatorChar(text.charCodeAt(k + 1))) {
    tokOp = text.slice(k, k + 2) as Operator;
    opEnd = k + 2;
  } else if (isOperatorChar(c)) {
    tokOp = text.slice(k, k + 1) as Operator;
    opEnd = k + 1;
  } else {
    throw new InterpolationSyntaxError(i, text); // `${foo }`, `${foo!}`, `${foo:}`
  }
  // The regex's greedy `(.*)}`: the last `}` before the end of the line.
  let lineEnd = nextNewline(text, opEnd);
  if (lineEnd < 0 || lineEnd > limit) lineEnd = limit;
  const lastBrace = lineEnd > opEnd ? lastBraceBefore(text, lineEnd) : -1;
  if (lastBrace < opEnd) throw new InterpolationSyntaxError(i, text); // unterminated: `${FOO:-x`
  const closing = closingBrace(text, i, lastBrace);
  tokArgStart = opEnd;
  tokArgEnd = closing;
  tokEnd = closing + 1;
  return Tok.Braced;
}

/*
 * The end of a line, and the last `}` before an end, are the same for every reference on that line: both are
 * remembered, so a long line with many references is searched once (searching again from each reference took
 * time quadratic in the line's length). Keyed by the text itself, which nested evaluations share.
 */
let newlineText: string | undefined;
let newlineFrom = 0;
let newlineAt = -1;
let braceText: string | undefined;
let braceEnd = -1;
let braceAt = -1;

/** `text.indexOf("\n", from)`. */
function nextNewline(text: string, from: number): number {
  if (text !== newlineText || from < newlineFrom || (newlineAt >= 0 && from > newlineAt)) {
    newlineText = text;
    newlineFrom = from;
    newlineAt = text.indexOf("\n", from);
  }
  return newlineAt;
}

/** `text.lastIndexOf("}", end - 1)`. */
function lastBraceBefore(text: string, end: number): number {
  if (text !== braceText || end !== braceEnd) {
    braceText = text;
    braceEnd = end;
    braceAt = text.lastIndexOf("}", end - 1);
  }
  return braceAt;
}

/**
 * compose-go's `getFirstBraceClosingIndex` over `text[start..lastBrace]`: the `}` that brings the count of `{` back
 * to zero, where the character after each `{` is skipped; `lastBrace` when the count never gets there.
 */
function closingBrace(text: string, start: number, lastBrace: number): number {
  let open = 0;
  for (let p = start; p <= lastBrace; p++) {
    const c = text.charCodeAt(p);
    if (c === RBRACE) {
      open--;
      if (open === 0) return p;
    }
    if (c === LBRACE) {
      open++;
      p++;
    }
  }
  return lastBrace;
}

// ---------------------------------------------------------------------------------------------------------------
// Public API

/** True when `text` holds a `$` that interpolation would act on (`$$`, `$NAME`, `${`); false means `text` is literal. */
export function hasInterpolation(text: string): boolean {
  let i = text.indexOf("$");
  while (i !== -1) {
    const next = text.charCodeAt(i + 1);
    if (next === DOLLAR || next === LBRACE || isNameStart(next)) return true;
    i = text.indexOf("$", i + 1);
  }
  return false;
}

/** Parses every reference, including those inside defaults. Throws InterpolationSyntaxError on any invalid `${`. */
export function parseTemplate(text: string): TemplatePart[] {
  return parseRange(text, 0, text.length, 0);
}

function parseRange(text: string, from: number, to: number, depth: number): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let last = from;
  let i = text.indexOf("$", from);
  while (i !== -1 && i < to) {
    const tok = scanDollar(text, i, to);
    if (tok === Tok.Literal) {
      i = text.indexOf("$", i + 1);
      continue;
    }
    literal += text.slice(last, i);
    const end = tokEnd; // read before parsing a default, which scans again
    if (tok === Tok.Escape) {
      literal += "$";
    } else {
      if (literal !== "") parts.push({ kind: "text", text: literal });
      literal = "";
      const start = i;
      const name = tokName;
      if (tok === Tok.Named) {
        parts.push({ kind: "var", name, braced: false, start, end });
      } else if (tokOp === undefined) {
        parts.push({ kind: "var", name, braced: true, start, end });
      } else {
        const op = tokOp;
        if (depth >= MAX_INTERPOLATION_DEPTH) throw new InterpolationDepthError(start, text);
        const arg = parseRange(text, tokArgStart, tokArgEnd, depth + 1);
        parts.push({ kind: "var", name, braced: true, op, arg, start, end });
      }
    }
    last = end;
    i = text.indexOf("$", last);
  }
  literal += text.slice(last, to);
  if (literal !== "") parts.push({ kind: "text", text: literal });
  return parts;
}

/** Interpolates one string value. Throws InterpolationSyntaxError or RequiredVariableError. */
export function interpolate(text: string, lookup: Lookup, options?: InterpolateOptions): string {
  if (text.indexOf("$") === -1) return text;
  return evalRange(text, 0, text.length, lookup, options?.onUnset, 0);
}

function evalRange(
  text: string,
  from: number,
  to: number,
  lookup: Lookup,
  onUnset: ((name: string) => void) | undefined,
  depth: number,
): string {
  let out = "";
  let last = from;
  let i = text.indexOf("$", from);
  while (i !== -1 && i < to) {
    const tok = scanDollar(text, i, to);
    if (tok === Tok.Literal) {
      i = text.indexOf("$", i + 1);
      continue;
    }
    out += text.slice(last, i);
    const end = tokEnd;
    if (tok === Tok.Escape) {
      out += "$";
    } else if (tok === Tok.Named || tokOp === undefined) {
      const name = tokName;
      const value = lookup(name);
      if (value === undefined) onUnset?.(name);
      else out += value;
    } else {
      out += evalOperator(text, i, tokName, tokOp, tokArgStart, tokArgEnd, lookup, onUnset, depth);
    }
    last = end;
    i = text.indexOf("$", last);
  }
  return out + text.slice(last, to);
}

function evalOperator(
  text: string,
  start: number,
  name: string,
  op: Operator,
  argStart: number,
  argEnd: number,
  lookup: Lookup,
  onUnset: ((name: string) => void) | undefined,
  depth: number,
): string {
  const value = lookup(name);
  const arg = () => {
    if (depth >= MAX_INTERPOLATION_DEPTH) throw new InterpolationDepthError(start, text);
    return evalRange(text, argStart, argEnd, lookup, onUnset, depth + 1);
  };
  const required = (): RequiredVariableError => {
    arg();
    return new RequiredVariableError(name, messageText(parseRange(text, argStart, argEnd, depth + 1)), start);
  };
  // The message is evaluated as compose-go does (an error inside it is the one reported), but shown as written:
  // an error must never print a value from the environment.
  switch (outcome(op, value)) {
    case "value":
      return value ?? "";
    case "arg":
      return arg();
    case "empty":
      return "";
    case "fail":
      throw required();
  }
}

/**
 * How an error shows the message of `${V:?message}`: its literal text (`$$` as `$`) and its references as written
 * (`${TOKEN}`), never their values. Keep mode's bake validations (bake/variables.ts) show the same text.
 */
export function messageText(parts: readonly TemplatePart[]): string {
  let out = "";
  for (const p of parts) {
    if (p.kind === "text") out += p.text;
    else if (!p.braced) out += "$" + p.name;
    else out += "${" + p.name + (p.op ? p.op + messageText(p.arg ?? []) : "") + "}";
  }
  return out;
}
