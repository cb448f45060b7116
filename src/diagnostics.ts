/**
 * Diagnostics shared by every stage: one type for errors and warnings, positions kept as byte offsets
 * and turned into line:column only when a message is printed (most runs print nothing).
 * This module imports nothing from the rest of the project but the catalogue of codes (diagnostic-codes.ts).
 */
import type { DiagnosticCode } from "./diagnostic-codes";

export type { DiagnosticCode };

/** A source text that positions point into. Line starts are computed on first use. */
export class SourceFile {
  private lineStarts: number[] | undefined;
  constructor(
    /** Absolute path of the file (or "-" for stdin). */
    readonly path: string,
    readonly text: string,
  ) {}

  /** 1-based line and column of a 0-based offset. Columns count UTF-16 code units, like editors do. */
  lineCol(offset: number): { line: number; column: number } {
    const starts = (this.lineStarts ??= computeLineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  // indexOf, not a loop per character: this runs for every file with an error, before the loop is optimised.
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** Where something was written: a file and an offset in it, or only a file. */
export interface SourcePos {
  readonly file: SourceFile;
  readonly offset?: number;
}

export type Severity = "error" | "warning";

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable identifier, e.g. "undefined-secret"; lets users and tests refer to a message (diagnostic-codes.ts). */
  readonly code: DiagnosticCode;
  /** One sentence; quotes keys as the user wrote them. Never contains a secret's value. */
  readonly message: string;
  readonly pos?: SourcePos;
}

/** Thrown by any stage when input cannot be compiled. Carries every error found (at least one). */
export class CompileError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join("\n"));
    this.name = "CompileError";
  }
}

/**
 * Collects warnings (and errors) while a stage runs; stages never print. A diagnostic equal to one already
 * reported (severity, code, message and position) is dropped: one anchor merged into many services is one
 * place, and says so once.
 */
export class DiagnosticBag {
  private readonly items: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  report(d: Diagnostic): void {
    const key = `${d.severity}\0${d.code}\0${d.message}\0${positionKey(d)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(d);
  }
  warn(code: DiagnosticCode, message: string, pos?: SourcePos): void {
    this.report({ severity: "warning", code, message, pos });
  }
  get all(): readonly Diagnostic[] {
    return this.items;
  }
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}

function positionKey(d: Diagnostic): string {
  return d.pos ? `${d.pos.file.path}\0${d.pos.offset ?? ""}` : "";
}

/**
 * Keeps one warning per code and source position (file and offset): the same anchor or `extends` base reached
 * from many services gives warnings that differ only by the service's name. The first one (in the given
 * order) stays and says how many more it stands for. Errors and warnings without an offset are kept as they are.
 */
export function collapseRepeats(ds: readonly Diagnostic[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const first = new Map<string, { index: number; more: number }>();
  for (const d of ds) {
    if (d.severity !== "warning" || d.pos?.offset === undefined) {
      out.push(d);
      continue;
    }
    const key = `${d.code}\0${positionKey(d)}`;
    const seen = first.get(key);
    if (seen) seen.more++;
    else {
      first.set(key, { index: out.length, more: 0 });
      out.push(d);
    }
  }
  for (const { index, more } of first.values()) {
    if (more === 0) continue;
    const d = out[index]!;
    out[index] = { ...d, message: `${d.message} (and ${more} more like it from this place)` };
  }
  return out;
}

/** Throws a CompileError with a single error. */
export function fail(code: DiagnosticCode, message: string, pos?: SourcePos): never {
  throw new CompileError([{ severity: "error", code, message, pos }]);
}

/** Renders `file:line:col: severity: message [code]`, with file paths shown relative to `cwd` when below it. */
export function formatDiagnostic(d: Diagnostic, cwd?: string): string {
  let where = "";
  if (d.pos) {
    where = displayPath(d.pos.file.path, cwd);
    if (d.pos.offset !== undefined) {
      const { line, column } = d.pos.file.lineCol(d.pos.offset);
      where += `:${line}:${column}`;
    }
    where += ": ";
  }
  return visible(`${where}${d.severity}: ${d.message} [${d.code}]`);
}

/**
 * Characters that must not reach a terminal as they are: C0 and C1 controls and DEL (an escape sequence from a
 * Compose key could retitle the window, move the cursor or hide text), and the invisible and bidirectional
 * formatting characters (U+061C, U+200B–U+200F, U+2028–U+202E, U+2060–U+206F, U+FEFF, U+FFF9–U+FFFB), which can
 * make a message read differently from what it says.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
const INVISIBLE_BUT_LINES =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * `text` with every such character written visibly: `\x1b` for a control character, `\u202e` for the others.
 * A diagnostic is one line, so its line breaks and tabs are escaped too; `keepLines` keeps LF and tab, for text
 * made of several lines (the CLI's other messages, a diff).
 */
export function visible(text: string, keepLines = false): string {
  return text.replace(keepLines ? INVISIBLE_BUT_LINES : INVISIBLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Sorts diagnostics by file, position, severity and message so output never depends on work order. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => {
    const fa = a.pos?.file.path ?? "";
    const fb = b.pos?.file.path ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    const oa = a.pos?.offset ?? -1;
    const ob = b.pos?.offset ?? -1;
    if (oa !== ob) return oa - ob;
    if (a.severity !== b.severity) return a.severity === "error" ? -1 : 1;
    return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
  });
}

function displayPath(p: string, cwd: string | undefined): string {
  if (!cwd || p === "-") return p;
  const prefix = cwd.endsWith("/") ? cwd : cwd + "/";
  return p.startsWith(prefix) ? p.slice(prefix.length) : p;
}
