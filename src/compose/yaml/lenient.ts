/**
 * The `yaml` package's Document path, with go-yaml's reading of under-indented quoted scalars (the "lenient
 * re-parse"). The loader composes from the CST instead (cst.ts); this path is its fallback for anything the CST
 * composer does not take on, and the reference its property test compares against.
 */
import { parseAllDocuments, type Document } from "yaml";
import { sourceTokens } from "./limits";

export const PARSE_OPTIONS = {
  version: "1.2",
  schema: "core",
  merge: true,
  uniqueKeys: false, // we report duplicates ourselves, with compose-go's wording and both lines
  strict: true,
  prettyErrors: false,
} as const;

const MAX_MENDING_ROUNDS = 4;

/**
 * go-yaml reads a quoted scalar up to its closing quote however its continuation lines are indented
 * (`A: "first` / `second"` at column 0, or at the key's column), where the yaml package ends it at the first
 * line indented no deeper than the scalar's parent and then reports a missing quote or a stray key. When a
 * file does not parse, the under-indented continuation lines of every quoted scalar cut short that way get
 * spaces in front (a quoted scalar's line breaks fold their leading white space away, so no value changes)
 * and the file is parsed again; `toOriginal` maps offsets in the parsed text back to the file's own.
 */
export function parseLeniently(text: string): { docs: Document[]; toOriginal: (offset: number) => number } {
  const added = new Map<number, number>(); // line start in `text` → spaces put in front of it
  let parsed = text;
  let toOriginal = (offset: number): number => offset;
  for (let round = 0; ; round++) {
    const docs = parseAllDocuments(parsed, PARSE_OPTIONS);
    const list = Array.isArray(docs) ? docs : [docs];
    if (round === MAX_MENDING_ROUNDS || list.every((d) => d.errors.length === 0)) return { docs: list, toOriginal };
    let changed = false;
    for (const start of cutQuotedScalars(parsed))
      changed = mendContinuations(text, toOriginal(start), added) || changed;
    if (!changed) return { docs: list, toOriginal };
    ({ parsed, toOriginal } = withSpaces(text, added));
  }
}

/** Where the quoted scalars start that the yaml lexer ends before their closing quote (go-yaml reads on). */
function cutQuotedScalars(text: string): number[] {
  const starts: number[] = [];
  for (const { token, at, kind } of sourceTokens(text)) {
    if (kind !== "syntax" || (token[0] !== '"' && token[0] !== "'")) continue;
    const close = closingQuote(text, at);
    if (close !== undefined && close > at + token.length - 1) starts.push(at);
  }
  return starts;
}

/** The offset of the quote that closes the quoted scalar opening at `start`, as go-yaml finds it. */
function closingQuote(text: string, start: number): number | undefined {
  const quote = text[start]!;
  let end = start + 1;
  for (;;) {
    end = text.indexOf(quote, end);
    if (end < 0) return undefined;
    if (quote === "'") {
      if (text[end + 1] !== "'") return end;
      end += 2;
      continue;
    }
    let backslashes = 0;
    while (text[end - 1 - backslashes] === "\\") backslashes++;
    if (backslashes % 2 === 0) return end;
    end++;
  }
}

/**
 * Records in `added` the spaces that the continuation lines of the quoted scalar opening at `start` (in the
 * file's text) need to be indented deeper than the line it opens on; false when none needs more.
 */
function mendContinuations(text: string, start: number, added: Map<number, number>): boolean {
  const end = closingQuote(text, start);
  if (end === undefined) return false;
  const lineStart = text.lastIndexOf("\n", start) + 1;
  const need = leadingSpaces(text, lineStart) + 1;
  let changed = false;
  for (let nl = text.indexOf("\n", start); nl >= 0 && nl < end; nl = text.indexOf("\n", nl + 1)) {
    const line = nl + 1;
    const spaces = leadingSpaces(text, line);
    const next = text[line + spaces];
    const blank = next === undefined || next === "\n" || next === "\r";
    if (blank || spaces + (added.get(line) ?? 0) >= need) continue;
    added.set(line, need - spaces);
    changed = true;
  }
  return changed;
}

function leadingSpaces(text: string, at: number): number {
  let n = 0;
  while (text[at + n] === " ") n++;
  return n;
}

/** `text` with the spaces of `added` put in, and the map from offsets in the result back to `text`. */
function withSpaces(
  text: string,
  added: ReadonlyMap<number, number>,
): { parsed: string; toOriginal: (offset: number) => number } {
  const points = [...added].sort((a, b) => a[0] - b[0]);
  let parsed = "";
  let from = 0;
  for (const [at, count] of points) {
    parsed += text.slice(from, at) + " ".repeat(count);
    from = at;
  }
  parsed += text.slice(from);
  const toOriginal = (offset: number): number => {
    let shift = 0;
    for (const [at, count] of points) {
      if (offset < at + shift) break;
      if (offset < at + shift + count) return at; // inside the added spaces
      shift += count;
    }
    return offset - shift;
  };
  return { parsed, toOriginal };
}

export function firstLine(message: string): string {
  const i = message.indexOf(" at line ");
  return (i >= 0 ? message.slice(0, i) : message.split("\n")[0]!).trim();
}
