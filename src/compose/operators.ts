/**
 * The meaning of Compose's `${VAR<op>arg}` operators (compose-go `template.go`), in one table: every place that
 * evaluates or translates a reference (interpolate.ts at load time, keep.ts resolving a value as if unset,
 * src/bake/expression.ts writing the bake expression and its validations) reads it here, so the semantics are
 * written once.
 *
 * Each operator looks at one question about the variable and takes one of two outcomes:
 *
 *   op   asks        yes          no
 *   :-   non-empty?  the value    the arg (default)
 *   -    set?        the value    the arg (default)
 *   :+   non-empty?  the arg      ""      (alternative)
 *   +    set?        the arg      ""      (alternative)
 *   :?   non-empty?  the value    fail    (requirement; the arg is the message)
 *   ?    set?        the value    fail
 *   none –           the value, "" when unset
 */

export type Operator = ":-" | "-" | ":?" | "?" | ":+" | "+";

/** What a reference to a variable evaluates to: its value, its arg, the empty string, or a failure. */
export type Outcome = "value" | "arg" | "empty" | "fail";

/** The question an operator asks: is the variable set, or set and non-empty. */
export type Test = "set" | "nonEmpty";

interface Rule {
  readonly test: Test;
  readonly yes: Outcome;
  readonly no: Outcome;
}

export const OPERATORS: Readonly<Record<Operator, Rule>> = {
  ":-": { test: "nonEmpty", yes: "value", no: "arg" },
  "-": { test: "set", yes: "value", no: "arg" },
  ":+": { test: "nonEmpty", yes: "arg", no: "empty" },
  "+": { test: "set", yes: "arg", no: "empty" },
  ":?": { test: "nonEmpty", yes: "value", no: "fail" },
  "?": { test: "set", yes: "value", no: "fail" },
};

/** Whether a variable with `value` (undefined: unset) passes `test`. */
export function passes(test: Test, value: string | undefined): boolean {
  return test === "set" ? value !== undefined : value !== undefined && value !== "";
}

/** What `${V<op>…}` evaluates to when V has `value` (undefined: unset); no operator reads the value. */
export function outcome(op: Operator | undefined, value: string | undefined): Outcome {
  if (op === undefined) return "value";
  const rule = OPERATORS[op];
  return passes(rule.test, value) ? rule.yes : rule.no;
}

/**
 * Whether `${V<op>arg}` can evaluate to "" (without failing) under some environment, given whether its arg can.
 * `${V:?…}` cannot: it fails instead.
 */
export function canBeEmpty(op: Operator | undefined, argCanBeEmpty: () => boolean): boolean {
  return [undefined, ""].some((value) => {
    const o = outcome(op, value);
    return o === "value" || o === "empty" || (o === "arg" && argCanBeEmpty());
  });
}
