/**
 * Template pieces, as the kept-variable expressions are built from them (expression.ts, kept-forms.ts): literal
 * text or an HCL expression, and how a list of them is written as one operand or argument of an expression.
 */
import { hclString } from "./escape";

/** A piece of a template: literal text, or an HCL expression. */
export type Piece = string | { expr: string };

/** Pieces as a function's argument: a single expression as it is, else a template. */
export function argument(pieces: readonly Piece[]): string {
  const only = pieces.length === 1 ? pieces[0] : undefined;
  return typeof only === "object" ? only.expr : hclString({ template: pieces });
}

/** Pieces as one operand of an HCL expression: a name as it is, another single expression in parentheses, else a template. */
export function operand(pieces: readonly Piece[]): string {
  const only = pieces.length === 1 ? pieces[0] : undefined;
  return typeof only === "object"
    ? /^\w+$/.test(only.expr)
      ? only.expr
      : `(${only.expr})`
    : hclString({ template: pieces });
}

/** compose-go's toBoolean (normalize-build.ts): the words it reads as true and as false, lowercased. */
export const BOOLEAN_TRUE = ["y", "yes", "true", "on"];
export const BOOLEAN_WORDS = [...BOOLEAN_TRUE, "n", "no", "false", "off"];

/** An HCL list of strings. */
export function hclList(items: readonly string[]): string {
  return `[${items.map((i) => hclString(i)).join(", ")}]`;
}

/**
 * A map written as bake's `merge()` of its entries in order, so that a later entry of a key wins: literal keys in a
 * row share one object (`{ "a" = …, "b" = … }`, the last of a key kept), and each entry whose key is known only
 * when bake runs is an expression of its own (kept-key-values.ts, kept-contexts.ts).
 */
export class MergedMap {
  private readonly parts: string[] = [];
  private run = new Map<string, string>();

  /** An entry with a literal key; `value` is an HCL expression. */
  put(key: string, value: string): void {
    this.run.delete(key);
    this.run.set(key, value);
  }

  /** An HCL expression giving an object of entries. */
  push(expression: string): void {
    this.flush();
    this.parts.push(expression);
  }

  /** The whole map: one object, or `merge(…)` of the parts. */
  expression(): string {
    this.flush();
    if (this.parts.length === 0) return "{}";
    return this.parts.length === 1 ? this.parts[0]! : `merge(${this.parts.join(", ")})`;
  }

  private flush(): void {
    if (this.run.size === 0) return;
    this.parts.push(`{ ${[...this.run].map(([k, v]) => `${hclString(k)} = ${v}`).join(", ")} }`);
    this.run = new Map();
  }
}
