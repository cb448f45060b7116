/**
 * The bake expressions for kept references (see variables.ts): each `${VAR…}` becomes an HCL expression with
 * Compose's meaning, read from the one operator table (src/compose/operators.ts).
 *
 *   ${V}      → V                              (nullable: V == null ? "" : V)
 *   ${V:-d}   → V == "" ? "d" : V              (nullable: V == null || V == "" ? "d" : V)
 *   ${V-d}    → V == null ? "d" : V
 *   ${V:?m}   → V, plus validation V != ""     (nullable: V != null && V != "")
 *   ${V?m}    → V, plus validation V != null
 *   ${V:+a}   → V == "" ? "" : "a"             (nullable: V == null || V == "" ? "" : "a")
 *   ${V+a}    → V == null ? "" : "a"
 *   - ARG     → "${ARG}" alone, which HCL unwraps to null when unset, and bake drops a null arg
 *
 * A requirement nested in a default or alternative (`${A:-${B:?m}}`) is checked only when that branch is taken:
 * its validation reads `A != "" || B != ""`.
 *
 * In an included project whose env file sets V, where V's default is null because another project reads it too
 * (includeDefaults), null stands for the env file's value: `${V}` → `V == null ? "<value>" : V`, the tests of
 * `-`, `?` and `+` always pass there (V is set), and `:-`, `:?`, `:+` test `V == ""` alone.
 */
import type { TemplatePart } from "../compose/interpolate";
import type {
  Guard,
  IncludeScope,
  KeptBoolean,
  KeptPath,
  KeptPiece,
  KeptReference,
  Requirement,
  VarPart,
} from "../compose/keep";
import { keptPathPieces } from "./path-expression";
import { canBeEmpty, OPERATORS, outcome, type Outcome, type Test } from "../compose/operators";
import { hclString } from "./escape";
import type { BakeVariableValidation } from "./model";
import { messageText } from "../compose/interpolate";
import { formPieces } from "./kept-forms";
import { argument, BOOLEAN_TRUE, hclList, operand, type Piece } from "./template-pieces";

export { argument, operand, type Piece } from "./template-pieces";

export class ExpressionWriter {
  constructor(
    private readonly nullable: ReadonlySet<string>,
    /** Variables written as text: name → value (undefined: as if unset). */
    private readonly known: ReadonlyMap<string, string | undefined>,
    private readonly split: (s: string) => ReadonlyArray<string | KeptPiece>,
    /** The writer for references written in an included project (it may know more variables). */
    private readonly writerFor: (scope: IncludeScope | undefined) => ExpressionWriter,
    /**
     * Variables that stand for a value of their own when unset (null), here: in an included project whose env
     * file sets them, while the variable's default is null for the other projects (variables.ts). Such a
     * variable is never unset here: `V == null ? "<value>" : V`.
     */
    private readonly includeDefaults: ReadonlyMap<string, string> = new Map(),
    /** References written more than once (KeptVariables.sharedParts): rendered once each. */
    private readonly sharedParts: ReadonlySet<TemplatePart> = new Set(),
  ) {}

  /** The pieces of each reference rendered so far (see reference). */
  private readonly rendered = new Map<TemplatePart, readonly Piece[]>();

  /** The template pieces for a value split into text and kept pieces. */
  value(split: ReadonlyArray<string | KeptPiece>): Piece[] {
    const template: Piece[] = [];
    for (const piece of split) {
      if (typeof piece === "string") template.push(piece);
      else if (piece.kind === "fallback") template.push(...this.fallback(piece.value, piece.fallback));
      else if (piece.kind === "boolean") template.push({ expr: this.boolean(piece) });
      else if (piece.kind === "form") template.push(...formPieces(piece, this, this.split));
      else if (piece.kind === "path") template.push(...this.path(piece));
      else template.push(...this.writerFor(piece.scope).reference(piece));
    }
    return mergeText(template);
  }

  /** Whether a split value can evaluate to "" (see canBeEmpty). */
  splitCanBeEmpty(split: ReadonlyArray<string | KeptPiece>): boolean {
    return split.every((p) =>
      typeof p === "string"
        ? p === ""
        : p.kind === "fallback"
          ? p.fallback === "" && this.splitCanBeEmpty(this.split(p.value))
          : p.kind === "boolean" || p.kind === "form"
            ? true
            : p.kind === "path"
              ? p.rule === "additional-context" && this.splitCanBeEmpty(this.split(p.value))
              : this.writerFor(p.scope).canBeEmpty([p.part]),
    );
  }

  /**
   * A value Compose reads as a boolean: true exactly for its true words (a value that is neither true nor false
   * fails a validation, see variables.ts); `whenTrue`, else "", for a list item.
   */
  private boolean(b: KeptBoolean): string {
    const test = `contains(${hclList(BOOLEAN_TRUE)}, lower(${argument(this.value(this.split(b.value)))}))`;
    return b.whenTrue === undefined ? test : `${test} ? ${hclString(b.whenTrue)} : ""`;
  }

  /** A kept path: Compose's path rule on its value (path-expression.ts). */
  private path(p: KeptPath): Piece[] {
    const split = this.split(p.value);
    // A value that is empty under every environment (`${DIR+}`) is the empty path, with no test left.
    const value = alwaysEmptySplit(split) ? [] : this.value(split);
    return keptPathPieces(value, p, this.splitCanBeEmpty(split));
  }

  /** `value`, or the text `fallback` when value comes out empty: one conditional, or the value when it never can. */
  private fallback(value: string, fallback: string): Piece[] {
    const split = this.split(value);
    const pieces = this.value(split);
    if (!this.splitCanBeEmpty(split)) return pieces;
    if (pieces.length === 0) return fallback === "" ? [] : [fallback];
    return [{ expr: emptyFallback(pieces, fallback) }];
  }

  /** The template pieces for one reference at the top level of a value. */
  reference(ref: KeptReference): readonly Piece[] {
    const p = ref.part;
    if (ref.valueless) {
      if (!this.known.has(p.name)) return [{ expr: p.name }];
      const value = this.known.get(p.name);
      // Unset: the arg is dropped, as Compose drops it.
      return [value === undefined ? { expr: "null" } : value];
    }
    // Once per parsed reference written more than once: a string repeated across services shares its parts
    // (KeptVariables.template), and the pieces depend only on them and this writer. Others are not remembered
    // (a file of 10,000 distinct references would fill the table for nothing).
    if (!this.sharedParts.has(p)) return this.pieces([p]);
    let pieces = this.rendered.get(p);
    if (pieces === undefined) {
      pieces = this.pieces([p]);
      this.rendered.set(p, pieces);
    }
    return pieces;
  }

  /** Template pieces for parts: literal text, and an expression per reference to a kept variable. */
  pieces(parts: readonly TemplatePart[]): Piece[] {
    const out: Piece[] = [];
    for (const p of parts) {
      if (p.kind === "text") out.push(p.text);
      else if (this.known.has(p.name)) out.push(...this.pieces(this.evaluateKnown(p)));
      else {
        const settled = this.settled(p);
        if (settled === "arg") out.push(...this.pieces(p.arg ?? []));
        else if (settled !== "empty") out.push({ expr: this.expression(p) });
      }
    }
    return mergeText(out);
  }

  /** What a reference to a known variable stands for (its value, or its default/alternative, still to render). */
  private evaluateKnown(p: VarPart): TemplatePart[] {
    const value = this.known.get(p.name);
    switch (outcome(p.op, value)) {
      case "value":
        return value ? [{ kind: "text", text: value }] : [];
      case "arg":
        return p.arg ?? [];
      // A failing requirement is left to its validation (written only for variables bake reads).
      case "empty":
      case "fail":
        return [];
    }
  }

  /** The outcome of a reference whose test is known now (a variable with an include's value is set), else undefined. */
  private settled(p: VarPart): Outcome | undefined {
    if (p.op === undefined || !this.includeDefaults.has(p.name)) return undefined;
    const rule = OPERATORS[p.op];
    const failing = this.condition(rule.test, p.name, false);
    return typeof failing === "boolean" && rule.no !== "fail" ? (failing ? rule.no : rule.yes) : undefined;
  }

  /** An HCL expression with the value of one reference to a kept variable. */
  expression(p: VarPart): string {
    const v = p.name;
    const own = this.includeDefaults.get(v);
    if (p.op === undefined)
      return own !== undefined
        ? `${v} == null ? ${hclString(own)} : ${v}`
        : this.nullable.has(v)
          ? `${v} == null ? "" : ${v}`
          : v;
    const rule = OPERATORS[p.op];
    // A requirement reads the value; its failure is a validation (see `validation`).
    if (rule.no === "fail") return this.expression({ ...p, op: undefined });
    const side = (o: Outcome): string =>
      // A nested default/alternative is a quoted template inside the expression, escaped like any HCL string.
      o === "arg"
        ? hclString({ template: this.pieces(p.arg ?? []) })
        : o === "empty"
          ? `""`
          : // The value side of a variable with an include's value may still be null (then that value), unless
            // the test already took null to the other side.
            own !== undefined && !(rule.test === "nonEmpty" && own === "")
            ? `(${this.expression({ ...p, op: undefined })})`
            : v;
    const failing = this.condition(rule.test, v, false);
    if (typeof failing === "boolean") {
      const o = failing ? rule.no : rule.yes;
      return o === "value" ? this.expression({ ...p, op: undefined }) : side(o);
    }
    return `${failing} ? ${side(rule.no)} : ${side(rule.yes)}`;
  }

  /** An HCL condition that holds when `test` passes for variable v. */
  private holds(test: Test, v: string): string | boolean {
    return this.condition(test, v, true);
  }

  /** An HCL condition that holds when `test` fails for variable v. */
  private fails(test: Test, v: string): string | boolean {
    return this.condition(test, v, false);
  }

  /**
   * An HCL condition that holds when `test` passes (`pass`) or fails for variable v; a boolean when that is
   * known now (a variable with an include's value is always set here).
   */
  private condition(test: Test, v: string, pass: boolean): string | boolean {
    const own = this.includeDefaults.get(v);
    if (own !== undefined) {
      if (test === "set") return pass;
      // Null stands for the include's value: empty only when that value is.
      if (own !== "") return pass ? `${v} != ""` : `${v} == ""`;
    } else if (test === "set") return pass ? `${v} != null` : `${v} == null`;
    const nullable = own !== undefined || this.nullable.has(v);
    if (pass) return nullable ? `${v} != null && ${v} != ""` : `${v} != ""`;
    return nullable ? `${v} == null || ${v} == ""` : `${v} == ""`;
  }

  /**
   * Whether parts can evaluate to "" (when no validation fails). `${V:?}` cannot: its validation applies exactly
   * when it is evaluated (see `validation`).
   */
  canBeEmpty(parts: readonly TemplatePart[]): boolean {
    return parts.every((p) => {
      if (p.kind === "text") return p.text === "";
      if (this.known.has(p.name)) return this.canBeEmpty(this.evaluateKnown(p));
      const own = this.includeDefaults.get(p.name);
      // Never unset here: empty, or not (the include's value, or the environment's).
      if (own !== undefined)
        return ["", "x"].some((value) => {
          const o = outcome(p.op, value);
          return (o === "value" && value === "") || o === "empty" || (o === "arg" && this.canBeEmpty(p.arg ?? []));
        });
      return canBeEmpty(p.op, () => this.canBeEmpty(p.arg ?? []));
    });
  }

  /** The validation for a requirement; undefined when it can never fail or names a variable written as text. */
  validation(r: Requirement): BakeVariableValidation | undefined {
    if (this.known.has(r.name)) return undefined;
    const v = r.name;
    const terms: string[] = [];
    for (const g of r.guards) {
      const term = this.branchNotTaken(g);
      if (term === true) return undefined; // the branch is never taken
      if (term !== false) terms.push(term);
    }
    const own = this.holds(OPERATORS[r.op].test, v);
    if (own === true) return undefined; // it can never fail
    terms.push(own === false ? "false" : own);
    const condition = terms.length === 1 ? terms[0]! : terms.map((t) => (t.includes("&&") ? `(${t})` : t)).join(" || ");
    // As --resolve shows it: references as written, never a value (known ones included).
    const message = messageText(r.message);
    return {
      condition,
      error_message: `required variable ${v} is missing a value${message === "" ? "" : ": " + message}`,
    };
  }

  /** An HCL condition that holds when the guard's branch is not taken; a boolean when that is known now. */
  private branchNotTaken(g: Guard): string | boolean {
    const v = g.name;
    if (this.known.has(v)) return outcome(g.op, this.known.get(v)) !== "arg";
    const rule = OPERATORS[g.op];
    return rule.yes === "arg" ? this.fails(rule.test, v) : this.holds(rule.test, v);
  }
}

/** Whether a split value is "" under every environment (a kept path then reads no variable: see alwaysEmpty). */
export function alwaysEmptySplit(split: ReadonlyArray<string | KeptPiece>): boolean {
  return split.every((s) => (typeof s === "string" ? s === "" : s.kind === undefined && alwaysEmpty([s.part])));
}

/** Whether parts are "" under every environment: empty text, or `${V:+}` / `${V+}` alternatives that are. */
function alwaysEmpty(parts: readonly TemplatePart[]): boolean {
  return parts.every((p) =>
    p.kind === "text" ? p.text === "" : (p.op === ":+" || p.op === "+") && alwaysEmpty(p.arg ?? []),
  );
}

/** `X == "" ? null : X` for a value made of pieces (X the single expression, or the template). */
export function nullWhenEmpty(pieces: readonly Piece[]): string {
  const x = operand(pieces);
  return `${x} == "" ? null : ${x}`;
}

/** `X == "" ? "fallback" : X` for a value made of pieces. */
export function emptyFallback(pieces: readonly Piece[], fallback: string): string {
  const x = operand(pieces);
  return `${x} == "" ? ${hclString(fallback)} : ${x}`;
}

export function mergeText(parts: readonly Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of parts) {
    if (p === "") continue;
    const last = out[out.length - 1];
    if (typeof p === "string" && typeof last === "string") out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}
