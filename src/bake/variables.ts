/**
 * Turns the references that "keep" mode left in a converted bake file (compose/keep.ts) into bake `variable`
 * blocks and expressions with exactly Compose's semantics, so that for any environment E, bake resolving the
 * file under E gives what `compose2bake --resolve` generates under E.
 *
 * Bake cannot tell an unset variable from an empty one unless the variable is typed: `type = string` with
 * `default = null` makes "unset" a null. Only variables used with an operator that cares (`-`, `?`, `+`, or a
 * value-less build arg, which Compose drops when unset) get that form; the others are plain `default = ""`
 * variables so the common `${TAG:-latest}` reads simply.
 *
 *   ${V}      → V                              (nullable: V == null ? "" : V)
 *   ${V:-d}   → V == "" ? "d" : V              (nullable: V == null || V == "" ? "d" : V)
 *   ${V-d}    → V == null ? "d" : V
 *   ${V:?m}   → V, plus validation V != ""     (nullable: V != null && V != "")
 *   ${V?m}    → V, plus validation V != null
 *   ${V:+a}   → V == "" ? "" : "a"             (nullable: V == null || V == "" ? "" : "a")
 *   ${V+a}    → V == null ? "" : "a"
 *   - ARG     → "${ARG}" alone, which HCL unwraps to null when unset, and bake drops a null arg
 */
import type { DiagnosticBag } from "../diagnostics";
import type { TemplatePart } from "../compose/interpolate";
import { hasToken, type KeptReference, type KeptVariables, type Requirement, type VarPart } from "../compose/keep";
import { TARGET_ATTRIBUTE_ORDER, type BakeFile, type BakeString, type BakeTarget, type BakeVariable, type BakeVariableValidation } from "./model";

/** Names bake would not let an environment variable set, or that HCL reads as something else. */
const RESERVED = new Set(["null", "true", "false", "for", "in", "if", "target", "group", "variable", "function", "BAKE_CMD_CONTEXT", "BAKE_LOCAL_PLATFORM"]);

export function applyKeptVariables(bake: BakeFile, kept: KeptVariables, diagnostics: DiagnosticBag, envFileVariables: ReadonlySet<string>): BakeFile {
  const nullable = new Set<string>();
  const used = new Set<string>();
  const note = (parts: readonly TemplatePart[] | undefined, topLevel: boolean): void => {
    for (const p of parts ?? []) {
      if (p.kind !== "var") continue;
      used.add(p.name);
      if (p.op === "-" || p.op === "?" || p.op === "+") nullable.add(p.name);
      if (!topLevel && (p.op === ":?" || p.op === "?")) {
        diagnostics.warn(
          "kept-nested-requirement",
          `\${${p.name}${p.op}…} inside another default is kept without its check: bake cannot make a requirement depend on another variable`,
        );
      }
      note(p.arg, false);
    }
  };

  // First pass: which variables are used, and how.
  const strings: string[] = [];
  forEachString(bake, (s) => {
    if (hasToken(s)) strings.push(s);
  });
  for (const s of strings) {
    for (const piece of kept.split(s)) {
      if (typeof piece === "string") continue;
      if (piece.valueless) nullable.add(piece.part.name);
      note([piece.part], true);
    }
  }
  for (const r of kept.requirements) {
    used.add(r.name);
    if (r.op === "?") nullable.add(r.name);
  }

  const fallback = new Set([...used].filter((n) => RESERVED.has(n)));
  for (const name of [...fallback].sort()) {
    diagnostics.warn(
      "kept-variable-reserved",
      `variable ${name} cannot be a bake variable (the name means something else to bake or HCL); its references are resolved as if it were unset`,
    );
  }
  const expr = new ExpressionWriter(nullable, fallback);

  // Second pass: rewrite strings into templates.
  const rewrite = (s: BakeString): BakeString => {
    if (typeof s !== "string" || !hasToken(s)) return s;
    const template: Array<string | { expr: string }> = [];
    for (const piece of kept.split(s)) {
      if (typeof piece === "string") template.push(piece);
      else template.push(expr.reference(piece));
    }
    return { template: mergeText(template) };
  };
  for (const target of Object.values(bake.target)) mapTarget(target, rewrite);

  // Variables and their validations.
  const variable: Record<string, BakeVariable> = { ...bake.variable };
  const validations = new Map<string, BakeVariableValidation[]>();
  const addValidation = (r: Requirement): void => {
    if (fallback.has(r.name)) return;
    const list = validations.get(r.name) ?? [];
    const rule = expr.validation(r);
    if (!list.some((x) => x.condition === rule.condition && x.error_message === rule.error_message)) list.push(rule);
    validations.set(r.name, list);
  };
  for (const s of strings) {
    for (const piece of kept.split(s)) {
      if (typeof piece !== "string" && (piece.part.op === ":?" || piece.part.op === "?")) {
        addValidation({ name: piece.part.name, op: piece.part.op, message: piece.part.arg ?? [] });
      }
    }
  }
  kept.requirements.forEach(addValidation);
  for (const name of [...used].sort()) {
    if (fallback.has(name)) continue;
    const v: BakeVariable = nullable.has(name) ? { type: "string", default: null } : { default: "" };
    const rules = validations.get(name);
    if (rules && rules.length > 0) v.validation = rules;
    variable[name] = v;
  }

  const fromEnvFiles = Object.keys(variable).filter((n) => envFileVariables.has(n));
  if (fromEnvFiles.length > 0) {
    diagnostics.warn(
      "kept-variable-in-env-file",
      `${fromEnvFiles.join(", ")} ${fromEnvFiles.length === 1 ? "is" : "are"} set in an env file, which docker buildx bake does not read: export ${fromEnvFiles.length === 1 ? "it" : "them"} (or pass --var) when running bake, or generate with --resolve`,
    );
  }
  for (const place of kept.resolvedPlaces) {
    diagnostics.warn(
      "variable-resolved",
      `${place.path} uses ${place.names.map((n) => "$" + n).join(", ")} where bake cannot keep a variable (compose2bake rewrites or parses this value); it was resolved as if unset. Use --resolve to substitute the environment's values`,
    );
  }
  return { ...bake, variable };
}

class ExpressionWriter {
  constructor(
    private readonly nullable: ReadonlySet<string>,
    private readonly fallback: ReadonlySet<string>,
  ) {}

  reference(ref: KeptReference): string | { expr: string } {
    const p = ref.part;
    if (this.fallback.has(p.name)) return resolveUnset([p]);
    if (ref.valueless) return { expr: p.name };
    return { expr: this.expression(p) };
  }

  /** An HCL expression with the value of one reference. */
  expression(p: VarPart): string {
    const v = p.name;
    const n = this.nullable.has(v);
    if (this.fallback.has(v)) return quote([{ kind: "text", text: resolveUnset([p]) }], this);
    const empty = n ? `${v} == null || ${v} == ""` : `${v} == ""`;
    const plain = n ? `${v} == null ? "" : ${v}` : v;
    const arg = (): string => quote(p.arg ?? [], this);
    switch (p.op) {
      case undefined:
        return plain;
      case ":-":
        return `${empty} ? ${arg()} : ${v}`;
      case "-":
        return `${v} == null ? ${arg()} : ${v}`;
      case ":?":
      case "?":
        return plain;
      case ":+":
        return `${empty} ? "" : ${arg()}`;
      case "+":
        return `${v} == null ? "" : ${arg()}`;
    }
  }

  validation(r: Requirement): BakeVariableValidation {
    const v = r.name;
    const condition = r.op === "?" ? `${v} != null` : this.nullable.has(v) ? `${v} != null && ${v} != ""` : `${v} != ""`;
    const message = resolveUnset(r.message);
    return { condition, error_message: `required variable ${v} is missing a value${message === "" ? "" : ": " + message}` };
  }
}

/** A quoted HCL template string for nested default/alternative text. */
function quote(parts: readonly TemplatePart[], w: ExpressionWriter): string {
  let out = '"';
  parts.forEach((p, i) => {
    if (p.kind === "text") {
      let text = p.text;
      const next = parts[i + 1];
      // A literal `$` right before an interpolation would read as the `$${` escape.
      const dollarBefore = next?.kind === "var" && text.endsWith("$");
      if (dollarBefore) text = text.slice(0, -1);
      out += text
        .replace(/\\/g, "\\\\")
        .replace(/"/g, '\\"')
        .replace(/\n/g, "\\n")
        .replace(/\r/g, "\\r")
        .replace(/\t/g, "\\t")
        .replace(/\$\{/g, "$${")
        .replace(/%\{/g, "%%{");
      if (dollarBefore) out += '${"$"}';
    } else {
      out += "${" + w.expression(p) + "}";
    }
  });
  return out + '"';
}

/** The value of parts when every variable is unset (how a reference falls back when it cannot be kept). */
function resolveUnset(parts: readonly TemplatePart[]): string {
  let out = "";
  for (const p of parts) {
    if (p.kind === "text") out += p.text;
    else if (p.op === ":-" || p.op === "-") out += resolveUnset(p.arg ?? []);
  }
  return out;
}

function mergeText(parts: Array<string | { expr: string }>): Array<string | { expr: string }> {
  const out: Array<string | { expr: string }> = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === "string" && typeof last === "string") out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}

function forEachString(bake: BakeFile, f: (s: string) => void): void {
  for (const target of Object.values(bake.target)) {
    mapTarget(target, (s) => {
      if (typeof s === "string") f(s);
      return s;
    });
  }
}

/** Applies `f` to every string value of a target, in place. */
function mapTarget(t: BakeTarget, f: (s: BakeString) => BakeString): void {
  const record = t as Record<string, unknown>;
  for (const attr of TARGET_ATTRIBUTE_ORDER) {
    const value = record[attr];
    if (value === undefined || typeof value === "boolean") continue;
    if (Array.isArray(value)) record[attr] = value.map((s: BakeString) => f(s));
    else if (typeof value === "object" && value !== null && !("template" in value)) {
      record[attr] = Object.fromEntries(Object.entries(value as Record<string, BakeString>).map(([k, s]) => [k, f(s)]));
    } else record[attr] = f(value as BakeString);
  }
}
