/**
 * The one table of `${VAR}` operator semantics (src/compose/operators.ts, issue #14): what each operator gives for
 * an unset, empty and non-empty variable, as compose-go's template package does, and `canBeEmpty`, which keep
 * mode uses to decide when a value needs a fallback or a null.
 */
import { canBeEmpty, outcome, type Operator } from "../../src/compose/operators";
import { interpolate, RequiredVariableError } from "../../src/compose/interpolate";

const STATES: ReadonlyArray<[string, string | undefined]> = [
  ["unset", undefined],
  ["empty", ""],
  ["set", "v"],
];

test.each<[Operator | undefined, string, string, string]>([
  // op, unset, empty, set
  [undefined, "value", "value", "value"],
  [":-", "arg", "arg", "value"],
  ["-", "arg", "value", "value"],
  [":+", "empty", "empty", "arg"],
  ["+", "empty", "arg", "arg"],
  [":?", "fail", "fail", "value"],
  ["?", "fail", "value", "value"],
])("%s: unset → %s, empty → %s, set → %s; interpolate agrees", (op, ...expected) => {
  STATES.forEach(([, value], i) => {
    expect(outcome(op, value)).toBe(expected[i]);
    const text = op === undefined ? "${V}" : `\${V${op}d}`;
    const env = value === undefined ? {} : { V: value };
    const want = { value: value ?? "", arg: "d", empty: "", fail: RequiredVariableError }[expected[i]!];
    if (want === RequiredVariableError)
      expect(() => interpolate(text, (n) => (env as Record<string, string>)[n])).toThrow(RequiredVariableError);
    else expect(interpolate(text, (n) => (env as Record<string, string>)[n])).toBe(want);
  });
});

test("canBeEmpty: only a requirement on a non-empty value, or a default that cannot be empty, never is", () => {
  expect(canBeEmpty(undefined, () => false)).toBe(true);
  expect(canBeEmpty(":-", () => false)).toBe(false);
  expect(canBeEmpty(":-", () => true)).toBe(true);
  expect(canBeEmpty("-", () => false)).toBe(true);
  expect(canBeEmpty(":+", () => false)).toBe(true);
  expect(canBeEmpty("+", () => false)).toBe(true);
  expect(canBeEmpty(":?", () => true)).toBe(false);
  expect(canBeEmpty("?", () => false)).toBe(true);
});
