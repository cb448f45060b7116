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
 * The expression for each operator is written by ExpressionWriter (expression.ts). `target`, `network` and `dockerfile-inline` values that may come
 * out empty become null when they do (`T == "" ? null : T`), because Compose treats an empty one as unset.
 * Variables whose value is known when the file is generated (`fixed`, e.g. COMPOSE_PROJECT_NAME, which Compose
 * sets to the project name) and names bake cannot use (RESERVED, resolved as if unset) are written as text.
 * References written in an included project carry its env files' values (IncludeScope): one such value is the
 * variable's default; when the name also means something else elsewhere, the default is null and the include's
 * references read `V == null ? "<value>" : V` (Compose: the environment wins, else the include's env file).
 * An `image:` that may come out empty is `X == "" ? "<project>-<service>" : X` (KeptFallback), and Compose's
 * platform checks on kept platform lists (PlatformCheck) become validations.
 */
import { fail, type DiagnosticBag } from "../diagnostics";
import type { TemplatePart } from "../compose/interpolate";
import { hasToken, type IncludeScope, type KeptPiece, type KeptVariables } from "../compose/keep";
import { OPERATORS } from "../compose/operators";
import { TARGET_ATTRIBUTE_KINDS } from "./escape";
import { checkText, checkValidation } from "./kept-forms";
import { formValues } from "../compose/keep-forms";
import { alwaysEmptySplit, ExpressionWriter, nullWhenEmpty, operand, type Piece } from "./expression";
import { dictCopy } from "../dict";
import {
  TARGET_ATTRIBUTE_ORDER,
  isMapExpression,
  type BakeFile,
  type BakeString,
  type BakeTarget,
  type BakeVariable,
  type BakeVariableValidation,
} from "./model";

/** Names bake would not let an environment variable set, or that HCL reads as something else. */
const RESERVED = new Set([
  "null",
  "true",
  "false",
  "for",
  "in",
  "if",
  "target",
  "group",
  "variable",
  "function",
  "BAKE_CMD_CONTEXT",
  "BAKE_LOCAL_PLATFORM",
]);

/** Attributes Compose leaves out when their value is empty (compose-go gives `""` no meaning there). */
const NULL_WHEN_EMPTY = new Set<string>(["target", "network", "dockerfile-inline"]);

/** The error code of a kept check that fails when the file is generated. */
/**
 * @param fixed variables whose value is known when the file is generated, written as text instead of kept:
 *   Compose sets COMPOSE_PROJECT_NAME to the project name, so the caller passes `{ COMPOSE_PROJECT_NAME: name }`.
 */
export function applyKeptVariables(
  bake: BakeFile,
  kept: KeptVariables,
  diagnostics: DiagnosticBag,
  envFileVariables: ReadonlySet<string>,
  fixed: Readonly<Record<string, string>> = {},
): BakeFile {
  const nullable = new Set<string>();
  const used = new Set<string>();
  // What each variable stands for when the environment does not set it: unset, or (in an included project)
  // its env file's value. One meaning becomes the bake default; several are a conflict (see below).
  const meanings = new Map<string, Set<string | undefined>>();
  // Include source → names its env files set from the environment, read by its services (include-env.ts).
  const fromEnvironment = new Map<string, Set<string>>();
  const use = (name: string, scope: IncludeScope | undefined): void => {
    used.add(name);
    if (scope?.fromEnvironment?.has(name)) {
      const names = fromEnvironment.get(scope.source) ?? new Set<string>();
      fromEnvironment.set(scope.source, names.add(name));
    }
    const set = meanings.get(name) ?? new Set<string | undefined>();
    set.add(scope?.values.get(name));
    meanings.set(name, set);
  };
  const note = (parts: readonly TemplatePart[] | undefined, scope: IncludeScope | undefined): void => {
    for (const p of parts ?? []) {
      if (p.kind !== "var") continue;
      use(p.name, scope);
      // Operators that tell unset from empty need a nullable variable.
      if (p.op !== undefined && OPERATORS[p.op].test === "set") nullable.add(p.name);
      note(p.arg, scope);
    }
  };

  // First pass: which variables are used, and how.
  // Each string with references is split once; the second pass reads the same pieces.
  const splits = new Map<string, Array<string | KeptPiece>>();
  const splitOf = (s: string): Array<string | KeptPiece> => {
    let split = splits.get(s);
    if (split === undefined) {
      split = kept.split(s);
      splits.set(s, split);
    }
    return split;
  };
  const notePieces = (split: ReadonlyArray<string | KeptPiece>): void => {
    for (const piece of split) {
      if (typeof piece === "string") continue;
      if (piece.kind === "fallback") {
        notePieces(splitOf(piece.value));
        continue;
      }
      if (piece.kind === "boolean") {
        notePieces(splitOf(piece.value));
        continue;
      }
      if (piece.kind === "form") {
        for (const value of formValues(piece)) notePieces(splitOf(value));
        continue;
      }
      if (piece.kind === "path") {
        const value = splitOf(piece.value);
        if (!alwaysEmptySplit(value)) notePieces(value);
        continue;
      }
      if (piece.valueless) nullable.add(piece.part.name);
      note([piece.part], piece.scope);
    }
  };
  forEachString(bake, (s) => {
    if (hasToken(s) && !splits.has(s)) notePieces(splitOf(s));
  });
  for (const check of kept.platformChecks) {
    for (const value of [...check.values, check.expected, check.message, check.unlessEmpty ?? ""])
      notePieces(splitOf(value));
  }
  for (const check of kept.checks) notePieces(splitOf(check.value));
  for (const r of kept.requirements) {
    use(r.name, r.scope);
    if (OPERATORS[r.op].test === "set") nullable.add(r.name);
    for (const g of r.guards) {
      use(g.name, r.scope);
      if (OPERATORS[g.op].test === "set") nullable.add(g.name);
    }
  }

  // Known values: fixed ones, and reserved names (as if unset).
  const known = new Map<string, string | undefined>();
  const fallback = [...used].filter((n) => RESERVED.has(n) && !Object.prototype.hasOwnProperty.call(fixed, n)).sort();
  for (const name of fallback) {
    known.set(name, undefined);
    diagnostics.warn(
      "kept-variable-reserved",
      `variable ${name} cannot be a bake variable (the name means something else to bake or HCL); its references are resolved as if it were unset`,
    );
  }
  for (const [name, value] of Object.entries(fixed)) known.set(name, value);

  // A variable with one meaning when unset gets it as its default (an included env file's value, or none). With
  // several (the main project and an include, or two includes, read it differently), bake's one default cannot
  // hold them: its default is null, and each include whose env file sets it reads `V == null ? "<value>" : V`.
  const conflicting = new Set(
    [...meanings].filter(([name, m]) => m.size > 1 && !known.has(name)).map(([name]) => name),
  );
  for (const name of conflicting) nullable.add(name);
  const scoped = new Map<IncludeScope, ExpressionWriter>();
  const writerFor = (scope: IncludeScope | undefined): ExpressionWriter => {
    if (scope === undefined) return expr;
    let w = scoped.get(scope);
    if (w === undefined) {
      const names = [...conflicting].filter((n) => scope.values.has(n));
      w =
        names.length === 0
          ? expr
          : new ExpressionWriter(
              nullable,
              known,
              splitOf,
              writerFor,
              new Map(names.map((n): [string, string] => [n, scope.values.get(n)!])),
              kept.sharedParts,
            );
      scoped.set(scope, w);
    }
    return w;
  };
  const expr: ExpressionWriter = new ExpressionWriter(nullable, known, splitOf, writerFor, undefined, kept.sharedParts);

  // Second pass: rewrite strings into templates.
  const rewrite = (s: BakeString, attr: string): BakeString => {
    if (typeof s !== "string" || !hasToken(s)) return s;
    const split = splitOf(s);
    const merged = expr.value(split);
    if (NULL_WHEN_EMPTY.has(attr) && expr.splitCanBeEmpty(split)) {
      return { template: [{ expr: nullWhenEmpty(merged) }] };
    }
    return { template: merged };
  };
  for (const target of Object.values(bake.target)) mapTarget(target, rewrite);

  // Variables and their validations.
  const variable = dictCopy<BakeVariable>(bake.variable); // null prototype: a variable may be named `__proto__`
  const validations = new Map<string, BakeVariableValidation[]>();
  const seenRules = new Set<string>();
  for (const r of kept.requirements) {
    const rule = writerFor(r.scope).validation(r);
    if (!rule) continue;
    // A set, not a search of the list: a file may repeat one variable's requirement with many messages.
    // Unambiguous: neither a name nor a condition (names and operators) holds a NUL.
    const key = `${r.name}\0${rule.condition}\0${rule.error_message}`;
    if (seenRules.has(key)) continue;
    seenRules.add(key);
    const list = validations.get(r.name) ?? [];
    list.push(rule);
    validations.set(r.name, list);
  }
  for (const name of [...used].sort()) {
    if (known.has(name)) continue;
    const fromInclude = conflicting.has(name) ? undefined : [...meanings.get(name)!][0];
    const v: BakeVariable =
      fromInclude !== undefined
        ? nullable.has(name)
          ? { type: "string", default: fromInclude }
          : { default: fromInclude }
        : nullable.has(name)
          ? { type: "string", default: null }
          : { default: "" };
    const rules = validations.get(name);
    if (rules && rules.length > 0) v.validation = rules;
    variable[name] = v;
  }

  // Compose's platform checks on kept values: a validation on the first variable they read, since bake runs
  // every variable's validations (a condition may read other variables).
  for (const check of kept.platformChecks) {
    const names = new Set<string>();
    const render = (value: string): Piece[] => {
      const split = splitOf(value);
      referencedNames(split, splitOf, names);
      return expr.value(split);
    };
    const expected = render(check.expected);
    const terms: string[] = [];
    let holds = false;
    if (check.unlessEmpty !== undefined) {
      const pieces = render(check.unlessEmpty);
      if (pieces.length === 0) holds = true;
      else if (expr.splitCanBeEmpty(splitOf(check.unlessEmpty))) terms.push(`${operand(pieces)} == ""`);
    }
    for (const value of check.values) {
      const pieces = render(value);
      if (isText(pieces) && isText(expected)) holds ||= pieces.join("") === expected.join("");
      else terms.push(`${operand(pieces)} == ${operand(expected)}`);
    }
    if (holds) continue;
    const message = render(check.message);
    const host = [...names].filter((n) => hasOwnVariable(variable, n)).sort()[0];
    // Every reference was written as text (known values), so the check can run now, as Compose runs it.
    if (host === undefined || terms.length === 0)
      fail("platform-conflict", message.filter((p) => typeof p === "string").join(""));
    // The message may quote a kept value (the service platform): bake evaluates error_message as a template.
    const rule: BakeVariableValidation = {
      condition: terms.join(" || "),
      error_message: isText(message) ? message.join("") : { template: message },
    };
    const v = variable[host]!;
    const same = (r: BakeVariableValidation) =>
      r.condition === rule.condition && JSON.stringify(r.error_message) === JSON.stringify(rule.error_message);
    if (!(v.validation ?? []).some(same)) variable[host] = { ...v, validation: [...(v.validation ?? []), rule] };
  }

  // Compose's checks on the values it reshapes (kept-forms.ts): a validation on the first variable each reads.
  for (const check of kept.checks) {
    const names = new Set<string>();
    referencedNames(splitOf(check.value), splitOf, names);
    const host = [...names].filter((n) => hasOwnVariable(variable, n)).sort()[0];
    if (host === undefined) {
      // Every reference was written as text: the check runs now, as Compose runs it.
      const textOf = (value: string): string =>
        expr
          .value(splitOf(value))
          .filter((p) => typeof p === "string")
          .join("");
      const problem = checkText(check, textOf(check.value), textOf);
      if (problem !== undefined) fail(problem.code, problem.message);
      continue;
    }
    const rule = checkValidation(check, expr, splitOf);
    const v = variable[host]!;
    const same = (r: BakeVariableValidation) =>
      r.condition === rule.condition && JSON.stringify(r.error_message) === JSON.stringify(rule.error_message);
    if (!(v.validation ?? []).some(same)) variable[host] = { ...v, validation: [...(v.validation ?? []), rule] };
  }

  // buildx sets DEBUG=1 when DEBUG is non-empty (the docker CLI's debug switch, which it links in), so bake only
  // ever sees "" or "1": a value the file cannot reproduce, said once.
  if (hasOwnVariable(variable, "DEBUG")) {
    diagnostics.warn(
      "kept-variable-debug",
      "variable DEBUG is kept, but docker buildx bake never reads its value: buildx (through the docker CLI's debug switch, also when run as docker-buildx) replaces any non-empty DEBUG with 1 and turns on its debug output. Rename the variable, or generate with --resolve",
      kept.debugPlace?.at,
    );
  }
  const fromEnvFiles = Object.keys(variable).filter((n) => envFileVariables.has(n));
  if (fromEnvFiles.length > 0) {
    diagnostics.warn(
      "kept-variable-in-env-file",
      `${fromEnvFiles.join(", ")} ${fromEnvFiles.length === 1 ? "is" : "are"} set in an env file, which docker buildx bake does not read: export ${fromEnvFiles.length === 1 ? "it" : "them"} when running bake, or generate with --resolve`,
    );
  }
  for (const place of kept.resolvedPlaces) {
    diagnostics.warn(
      "variable-resolved",
      `${place.path} uses ${place.names.map((n) => "$" + n).join(", ")} where bake cannot keep a variable (compose2bake rewrites or parses this value); it was resolved as if unset. Use --resolve to substitute the environment's values`,
      place.at,
    );
  }
  for (const [source, names] of [...fromEnvironment].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const list = [...names].sort();
    diagnostics.warn(
      "variable-resolved",
      `the env file of the included ${source} gives ${list.join(", ")} a value read from the environment (a \${…} or a bare name): kept as a bake default, it is read as if the environment set nothing, so that the file holds no value of the machine generating it. Use --resolve to substitute the environment's values`,
    );
  }
  for (const place of kept.resolvedArgNames) {
    diagnostics.warn(
      "valueless-arg-name-resolved",
      `${place.path} is a value-less arg named by ${place.names.map((n) => "$" + n).join(", ")}: bake cannot take an arg's name from a variable, so it was resolved as if unset (docker compose would look up the variable the name gives). Use --resolve to substitute the environment's values`,
      place.at,
    );
  }
  return { ...bake, variable };
}

/** The names of the variables a split value reads, nested defaults and fallback values included. */
function referencedNames(
  split: ReadonlyArray<string | KeptPiece>,
  splitOf: (s: string) => ReadonlyArray<string | KeptPiece>,
  out: Set<string>,
): void {
  const parts = (ps: readonly TemplatePart[] | undefined): void => {
    for (const p of ps ?? []) {
      if (p.kind !== "var") continue;
      out.add(p.name);
      parts(p.arg);
    }
  };
  for (const piece of split) {
    if (typeof piece === "string") continue;
    if (piece.kind === "form") for (const value of formValues(piece)) referencedNames(splitOf(value), splitOf, out);
    else if (piece.kind !== undefined) referencedNames(splitOf(piece.value), splitOf, out);
    else parts([piece.part]);
  }
}

function hasOwnVariable(variable: Record<string, BakeVariable>, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(variable, name);
}

function isText(pieces: readonly Piece[]): pieces is string[] {
  return pieces.every((p) => typeof p === "string");
}

function forEachString(bake: BakeFile, f: (s: string) => void): void {
  const visit = (s: BakeString): BakeString => {
    if (typeof s === "string") f(s);
    return s;
  };
  for (const target of Object.values(bake.target)) mapTarget(target, visit);
}

/**
 * Applies `f` to every string value of a target, in place. How each attribute is walked comes from its kind,
 * never from the shape of its value: a map with a key named `template` is still a map.
 */
function mapTarget(t: BakeTarget, f: (s: BakeString, attr: string) => BakeString): void {
  // Index loops, no callbacks: this runs twice over every target, mostly before V8 optimises it, where a for-of
  // step or a closure per list allocates.
  const record = t as Record<string, unknown>;
  for (let a = 0; a < TARGET_ATTRIBUTE_ORDER.length; a++) {
    const attr = TARGET_ATTRIBUTE_ORDER[a]!;
    const value = record[attr];
    if (value === undefined) continue;
    switch (TARGET_ATTRIBUTE_KINDS[attr]) {
      case "bool":
        // A kept boolean is a string until it is rewritten into an expression.
        if (typeof value !== "boolean") {
          const r = f(value as BakeString, attr);
          if (r !== value) record[attr] = r;
        }
        break;
      case "list": {
        // Copied only when an item changes: most strings hold no reference (and forEachString changes none).
        const items = value as BakeString[];
        let out: BakeString[] | undefined;
        for (let i = 0; i < items.length; i++) {
          const s = items[i]!;
          const r = f(s, attr);
          if (r !== s) (out ??= items.slice())[i] = r;
        }
        if (out) record[attr] = out;
        break;
      }
      case "map": {
        // A map bake builds from an expression (extra-hosts whose host names hold variables).
        if (isMapExpression(value as Record<string, BakeString> | BakeString)) {
          record[attr] = f(value as BakeString, attr);
          break;
        }
        const map = value as Record<string, BakeString>;
        const keys = Object.keys(map);
        let out: Array<[string, BakeString]> | undefined;
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!;
          const s = map[k]!;
          const r = f(s, attr);
          if (r !== s && out === undefined) out = keys.slice(0, i).map((j): [string, BakeString] => [j, map[j]!]);
          out?.push([k, r]);
        }
        if (out) record[attr] = Object.fromEntries(out);
        break;
      }
      case "string": {
        const r = f(value as BakeString, attr);
        if (r !== value) record[attr] = r;
        break;
      }
    }
  }
}
