/**
 * Compose interpolation (src/compose/interpolate.ts). Most cases restate compose-go's `template/template_test.go`
 * and `interpolation/interpolation_test.go` (v2.13.0) in our own words; the variables below mirror theirs:
 * FOO is set, BAR is set and empty, everything else is unset.
 */
import {
  hasInterpolation,
  interpolate,
  InterpolationError,
  InterpolationSyntaxError,
  parseTemplate,
  RequiredVariableError,
  type TemplatePart,
} from "../../src/compose/interpolate";
import { interpolateValue } from "../../src/compose/interpolate-value";

type Vars = Record<string, string>;

const DEFAULTS: Vars = { FOO: "first", BAR: "", JSON: '{"json":2}' };

function lookupIn(vars: Vars) {
  return (name: string): string | undefined =>
    Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined;
}

function expectInterpolated(template: string, vars: Vars, expected: string): void {
  expect(interpolate(template, lookupIn(vars))).toBe(expected);
}

function expectUnchanged(template: string): void {
  expect(interpolate(template, lookupIn(DEFAULTS))).toBe(template);
}

function expectSyntaxError(template: string, offset: number, vars: Vars = DEFAULTS): void {
  let error: unknown;
  try {
    interpolate(template, lookupIn(vars));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InterpolationSyntaxError);
  expect((error as InterpolationSyntaxError).message).toBe(
    `invalid interpolation format: ${JSON.stringify(template)}; you may need to escape any $ with another $`,
  );
  expect((error as InterpolationSyntaxError).offset).toBe(offset);
}

function expectRequiredError(template: string, vars: Vars, message: string): void {
  let error: unknown;
  try {
    interpolate(template, lookupIn(vars));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(RequiredVariableError);
  expect((error as RequiredVariableError).message).toBe(message);
}

function expectWarnings(template: string, vars: Vars, names: string[]): void {
  const seen: string[] = [];
  interpolate(template, lookupIn(vars), { onUnset: (name) => seen.push(name) });
  expect(seen).toEqual(names);
}

function expectParsed(template: string, parts: TemplatePart[]): void {
  expect(parseTemplate(template)).toEqual(parts);
}

describe("escapes and literal dollars", () => {
  test("$$ is a literal $", () => {
    expectInterpolated("$${foo}", DEFAULTS, "${foo}");
    expectInterpolated("$$", DEFAULTS, "$");
    expectInterpolated("$$$$", DEFAULTS, "$$");
    expectInterpolated("$$FOO", DEFAULTS, "$FOO");
    expectInterpolated("$$$FOO", DEFAULTS, "$first");
    expectInterpolated("a$$b", DEFAULTS, "a$b");
  });

  test("a $ that starts no reference is kept", () => {
    expectUnchanged("foo");
    expectUnchanged("a $ string");
    expectUnchanged("^REGEX$");
    expectUnchanged("$}");
    expectUnchanged("$");
    expectUnchanged("$1");
    expectUnchanged("100$");
    expectUnchanged("$-x");
    expectUnchanged("$ {FOO}");
    expectUnchanged("$.FOO");
  });
});

describe("$NAME and ${NAME}", () => {
  test("substitutes set variables", () => {
    expectInterpolated("This $FOO var", DEFAULTS, "This first var");
    expectInterpolated("This ${FOO} var", DEFAULTS, "This first var");
    expectInterpolated("$FOO$FOO", DEFAULTS, "firstfirst");
  });

  test("unset and empty variables give an empty string", () => {
    expectInterpolated("This ${missing} var", DEFAULTS, "This  var");
    expectInterpolated("This ${BAR} var", DEFAULTS, "This  var");
    expectInterpolated("This $missing var", DEFAULTS, "This  var");
  });

  test("a bare name stops at the first character outside [_a-zA-Z0-9]", () => {
    expectInterpolated("$FOO-bar", DEFAULTS, "first-bar");
    expectInterpolated("$FOO.bar", DEFAULTS, "first.bar");
    expectInterpolated("$FOO:latest", DEFAULTS, "first:latest");
    expectInterpolated("$FOO_BAR", DEFAULTS, "");
    expectInterpolated("$FOO1", { FOO: "x", FOO1: "y" }, "y");
  });

  test("names are case-sensitive, may start with _, and include the letters Go folds onto s and k", () => {
    expectInterpolated("$foo", DEFAULTS, "");
    expectInterpolated("${fOo}", { fOo: "mixed" }, "mixed");
    expectInterpolated("$_x ${_}", { _x: "a", _: "b" }, "a b");
    expectInterpolated("$\u017f ${\u212a}", { "\u017f": "long s", "\u212a": "kelvin" }, "long s kelvin");
  });

  test("a substituted value is never scanned again", () => {
    expectInterpolated("${A}", { A: "$B", B: "no" }, "$B");
    expectInterpolated("$A", { A: "${B}" }, "${B}");
    expectInterpolated("${A:-x}", { A: "$$" }, "$$");
    expectInterpolated("${UNSET:-$$}", DEFAULTS, "$");
    expectInterpolated("${UNSET:-$${FOO}}", DEFAULTS, "${FOO}");
  });
});

describe("operators: unset / set and empty / set and non-empty", () => {
  const unset: Vars = {};
  const empty: Vars = { V: "" };
  const value: Vars = { V: "value" };

  test("${V:-d} falls back when unset or empty", () => {
    expectInterpolated("${V:-d}", unset, "d");
    expectInterpolated("${V:-d}", empty, "d");
    expectInterpolated("${V:-d}", value, "value");
  });

  test("${V-d} falls back only when unset", () => {
    expectInterpolated("${V-d}", unset, "d");
    expectInterpolated("${V-d}", empty, "");
    expectInterpolated("${V-d}", value, "value");
  });

  test("${V:?e} fails when unset or empty", () => {
    expectRequiredError("${V:?e}", unset, "required variable V is missing a value: e");
    expectRequiredError("${V:?e}", empty, "required variable V is missing a value: e");
    expectInterpolated("${V:?e}", value, "value");
  });

  test("${V?e} fails only when unset", () => {
    expectRequiredError("${V?e}", unset, "required variable V is missing a value: e");
    expectInterpolated("${V?e}", empty, "");
    expectInterpolated("${V?e}", value, "value");
  });

  test("${V:+a} gives a only when set and non-empty", () => {
    expectInterpolated("${V:+a}", unset, "");
    expectInterpolated("${V:+a}", empty, "");
    expectInterpolated("${V:+a}", value, "a");
  });

  test("${V+a} gives a whenever set", () => {
    expectInterpolated("${V+a}", unset, "");
    expectInterpolated("${V+a}", empty, "a");
    expectInterpolated("${V+a}", value, "a");
  });

  test("${V} and $V", () => {
    expectInterpolated("${V}|$V", unset, "|");
    expectInterpolated("${V}|$V", empty, "|");
    expectInterpolated("${V}|$V", value, "value|value");
  });

  test("compose-go's own cases for each operator", () => {
    expectInterpolated("ok ${missing:-def}", DEFAULTS, "ok def");
    expectInterpolated("ok ${missing-def}", DEFAULTS, "ok def");
    expectInterpolated("ok ${BAR:-def}", DEFAULTS, "ok def");
    expectInterpolated("ok ${FOO:-def}", DEFAULTS, "ok first");
    expectInterpolated("ok ${BAR-def}", DEFAULTS, "ok ");
    expectInterpolated("ok ${UNSET_VAR:+presence_value}", DEFAULTS, "ok ");
    expectInterpolated("ok ${UNSET_VAR+presence_value}", DEFAULTS, "ok ");
    expectInterpolated("ok ${FOO:+presence_value}", DEFAULTS, "ok presence_value");
    expectInterpolated("ok ${FOO+presence_value}", DEFAULTS, "ok presence_value");
    expectInterpolated("ok ${BAR+presence_value}", DEFAULTS, "ok presence_value");
    expectInterpolated("ok ${BAR:+presence_value}", DEFAULTS, "ok ");
    expectInterpolated("ok ${FOO:?err}", DEFAULTS, "ok first");
    expectInterpolated("ok ${FOO?err}", DEFAULTS, "ok first");
    expectInterpolated("ok ${BAR?err}", DEFAULTS, "ok ");
  });

  test("an empty default or alternative is allowed", () => {
    expectInterpolated("[${UNSET:-}]", DEFAULTS, "[]");
    expectInterpolated("[${UNSET-}]", DEFAULTS, "[]");
    expectInterpolated("[${FOO:+}]", DEFAULTS, "[]");
    expectInterpolated("[${FOO+}]", DEFAULTS, "[]");
  });
});

describe("required variables", () => {
  test("the message after the operator is reported, or nothing when it is empty", () => {
    expectRequiredError(
      "not ok ${UNSET_VAR:?Mandatory Variable Unset}",
      DEFAULTS,
      "required variable UNSET_VAR is missing a value: Mandatory Variable Unset",
    );
    expectRequiredError(
      "not ok ${BAR:?Mandatory Variable Empty}",
      DEFAULTS,
      "required variable BAR is missing a value: Mandatory Variable Empty",
    );
    expectRequiredError(
      "not ok ${UNSET_VAR?Mandatory Variable Unset}",
      DEFAULTS,
      "required variable UNSET_VAR is missing a value: Mandatory Variable Unset",
    );
    expectRequiredError("not ok ${UNSET_VAR:?}", DEFAULTS, "required variable UNSET_VAR is missing a value");
    expectRequiredError("not ok ${UNSET_VAR?}", DEFAULTS, "required variable UNSET_VAR is missing a value");
  });

  test("the message is shown as written: compose-go interpolates it, which would print environment values", () => {
    expectRequiredError(
      "${UNSET_VAR:?Mandatory Variable ${FOO}}",
      DEFAULTS,
      "required variable UNSET_VAR is missing a value: Mandatory Variable ${FOO}",
    );
    expectRequiredError(
      "${UNSET_VAR?Mandatory Variable ${FOO}}",
      DEFAULTS,
      "required variable UNSET_VAR is missing a value: Mandatory Variable ${FOO}",
    );
    expectRequiredError(
      "${UNSET:?need $$ and $FOO}",
      DEFAULTS,
      "required variable UNSET is missing a value: need $ and $FOO",
    );
  });

  test("the first failing reference wins", () => {
    expectRequiredError("${FOO:?foo} ${A:?a} ${B:?b}", DEFAULTS, "required variable A is missing a value: a");
    expectRequiredError(
      "{{{ ${X:?foo} ${BAR:-DEFAULT_VALUE} }}}",
      DEFAULTS,
      "required variable X is missing a value: foo",
    );
    expectRequiredError("${X:?baz} }}}", DEFAULTS, "required variable X is missing a value: baz");
  });

  test("a required reference inside a used default fails, inside an unused one it does not", () => {
    expectRequiredError("${UNSET:-${B:?need b}}", DEFAULTS, "required variable B is missing a value: need b");
    expectInterpolated("${FOO:-${B:?need b}}", DEFAULTS, "first");
    expectInterpolated("${UNSET:+${B:?need b}}", DEFAULTS, "");
  });

  test("the error carries the variable, the reason and the offset of its reference", () => {
    const error = (() => {
      try {
        interpolate("ab ${TOKEN:?set it}", lookupIn({}));
      } catch (e) {
        return e as RequiredVariableError;
      }
      throw new Error("no error");
    })();
    expect([error.variable, error.reason, error.offset]).toEqual(["TOKEN", "set it", 3]);
  });
});

describe("operator choice", () => {
  test("the earliest operator after the name wins", () => {
    expectInterpolated("${UNSET_VAR-myerror?msg}", DEFAULTS, "myerror?msg");
    expectRequiredError("${UNSET_VAR?bar-baz}", DEFAULTS, "required variable UNSET_VAR is missing a value: bar-baz");
    expectInterpolated("${FOO?bar-baz}", DEFAULTS, "first");
    expectInterpolated("ok ${BAR:-/non:-alphanumeric}", DEFAULTS, "ok /non:-alphanumeric");
    expectInterpolated("${UNSET-a:-b}", DEFAULTS, "a:-b");
    expectInterpolated("${UNSET:-a-b}", DEFAULTS, "a-b");
    expectInterpolated("${FOO:+x:-y}", DEFAULTS, "x:-y");
    expectInterpolated("${BAR+va:?lu-e}", DEFAULTS, "va:?lu-e");
    expectRequiredError("${UNSET:?val?ue}", DEFAULTS, "required variable UNSET is missing a value: val?ue");
    expectRequiredError("${UNSET?va+lu-e:?e}", DEFAULTS, "required variable UNSET is missing a value: va+lu-e:?e");
  });

  test("operator characters in the surrounding text change nothing", () => {
    expectInterpolated("-ok ${BAR:-defaultValue}", DEFAULTS, "-ok defaultValue");
    expectInterpolated("+ok ${UNSET:-${BAR-defaultValue}}", DEFAULTS, "+ok ");
    expectInterpolated("-ok ${FOO:-defaultValue}", DEFAULTS, "-ok first");
    expectInterpolated(":-ok ${UNSET-defaultValue}", DEFAULTS, ":-ok defaultValue");
    expectInterpolated(":-ok ${BAR-defaultValue}", DEFAULTS, ":-ok ");
    expectInterpolated(":?ok ${BAR-defaultValue}", DEFAULTS, ":?ok ");
    expectInterpolated(":?ok ${BAR:-defaultValue}", DEFAULTS, ":?ok defaultValue");
    expectInterpolated(":+ok ${BAR:-defaultValue}", DEFAULTS, ":+ok defaultValue");
    expectInterpolated("+ok ${BAR-defaultValue}", DEFAULTS, "+ok ");
    expectInterpolated("?ok ${BAR:-defaultValue}", DEFAULTS, "?ok defaultValue");
  });
});

describe("nesting", () => {
  test("defaults and alternatives are interpolated", () => {
    expectInterpolated("ok ${UNSET_VAR-$FOO}", DEFAULTS, "ok first");
    expectInterpolated("ok ${UNSET_VAR-${FOO}}", DEFAULTS, "ok first");
    expectInterpolated("ok ${UNSET_VAR-${FOO} ${FOO}}", DEFAULTS, "ok first first");
    expectInterpolated("ok ${BAR:-$FOO}", DEFAULTS, "ok first");
    expectInterpolated("ok ${BAR:-${FOO}}", DEFAULTS, "ok first");
    expectInterpolated("ok ${BAR:-${FOO} ${FOO}}", DEFAULTS, "ok first first");
    expectInterpolated("ok ${BAR+$FOO}", DEFAULTS, "ok first");
    expectInterpolated("ok ${BAR+$FOO ${FOO:+second}}", DEFAULTS, "ok first second");
  });

  test("nesting goes as deep as needed", () => {
    expectInterpolated("${A:-${B:-${C:-qix}}}", {}, "qix");
    expectInterpolated("${A:-${B:-x}_test_${B:-y}}", {}, "x_test_y");
    expectInterpolated("${A:-${B:-x}_test}", {}, "x_test");
    expectInterpolated("${A:-${B:-${C:-x}}_test}", {}, "x_test");
    expectInterpolated("${A:-${B:-${C:-x}}_test}", { B: "b" }, "b_test");
  });

  test("text after a reference is interpolated normally", () => {
    expectInterpolated("ok ${SUBDOMAIN:-redis}.${FOO:?}", DEFAULTS, "ok redis.first");
    expectInterpolated("${A:-a}-${B:-b}", {}, "a-b");
    expectInterpolated("${A:-a}\n${B:-b}", {}, "a\nb");
    expectInterpolated("${FOO:-baz} }}}", {}, "baz }}}");
    expectInterpolated("${FOO-baz} }}}", DEFAULTS, "first }}}");
  });

  test("text around references, braces included, is kept", () => {
    expectInterpolated("{{{ ${FOO:-foo_} }}}", {}, "{{{ foo_ }}}");
    expectInterpolated("{{{ ${FOO:-foo-bar-value} }}}", {}, "{{{ foo-bar-value }}}");
    expectInterpolated("{{{ ${FOO:-foo?bar?value} }}}", {}, "{{{ foo?bar?value }}}");
    expectInterpolated("{{{ ${FOO:-foo:?bar:?value} }}}", {}, "{{{ foo:?bar:?value }}}");
    expectInterpolated("{{{ ${FOO:-foo} ${BAR:-DEFAULT_VALUE} }}}", {}, "{{{ foo DEFAULT_VALUE }}}");
    expectInterpolated("{{{ ${FOO:-foo} ${USER:-bar} }}}", { FOO: "bar", USER: "jenny" }, "{{{ bar jenny }}}");
    expectInterpolated("{{{ ${BAR} }}}", {}, "{{{  }}}");
  });

  test("counts braces like compose-go", () => {
    expectInterpolated('ok ${missing:-{"json":1}}', DEFAULTS, 'ok {"json":1}');
    expectInterpolated('ok ${missing-{"json":1}}', DEFAULTS, 'ok {"json":1}');
    expectInterpolated('ok ${JSON:-{"json":1}}', DEFAULTS, 'ok {"json":2}');
    expectInterpolated('ok ${JSON-{"json":1}}', DEFAULTS, 'ok {"json":2}');
    expectInterpolated("${A:-{x}}", {}, "{x}");
    expectInterpolated("${A:-{}}", {}, "{}");
    expectInterpolated("${A:-x}}", {}, "x}");
    expectInterpolated("${A:-{x}", {}, "{x");
    // The character after `{` is skipped while counting, so the `}` of `{}` is not seen: the default is `{}}x`.
    expectInterpolated("${A:-{}}x}", {}, "{}}x");
    expectInterpolated("${A:-{}}x}", { A: "v" }, "v");
  });

  test("a default never spans lines", () => {
    expectInterpolated("${A:-x}\ny}", {}, "x\ny}");
    expectSyntaxError("${A:-x\ny}", 0);
  });
});

describe("invalid templates", () => {
  test("compose-go's invalid templates", () => {
    expectSyntaxError("${", 0);
    expectSyntaxError("${}", 0);
    expectSyntaxError("${ }", 0);
    expectSyntaxError("${ foo}", 0);
    expectSyntaxError("${foo }", 0);
    expectSyntaxError("${foo!}", 0);
  });

  test("other malformed references", () => {
    expectSyntaxError("${foo:}", 0);
    expectSyntaxError("${1A}", 0);
    expectSyntaxError("${FOO", 0);
    expectSyntaxError("${FOO:-x", 0);
    expectSyntaxError("${FOO:-", 0);
    expectSyntaxError("${VAR/foo/bar}", 0);
    expectSyntaxError("${#VAR}", 0);
    expectSyntaxError("${A[*]}", 0);
  });

  test("the offset points at the bad $, the message quotes the whole value on one line", () => {
    expectSyntaxError("image: ${ }", 7);
    expectSyntaxError("$FOO ${FOO} ${", 12);
    expectSyntaxError('a\n"${x y}"', 3);
  });

  test("an invalid default is reported only when it is used", () => {
    expectSyntaxError("${UNSET:-${}}", 9);
    expectInterpolated("${FOO:-${}}", DEFAULTS, "first");
    expectSyntaxError("${UNSET:?${ }}", 9);
    expectInterpolated("${FOO:?${ }}", DEFAULTS, "first");
  });
});

describe("warnings for unset variables", () => {
  test("only plain references to unset variables warn", () => {
    expectWarnings("${V} $W ${BAR} $FOO", DEFAULTS, ["V", "W"]);
    expectWarnings("${V:-x} ${V-x} ${V:+x} ${V+x}", DEFAULTS, []);
    expectWarnings("$$V $${V}", DEFAULTS, []);
  });

  test("references inside a used default warn, inside an unused one they do not", () => {
    expectWarnings("${A:-${B}}", {}, ["B"]);
    expectWarnings("${FOO:-${B}}", DEFAULTS, []);
    expectWarnings("${UNSET:+$B}", DEFAULTS, []);
    expectWarnings("${FOO:+$B}", DEFAULTS, ["B"]);
  });
});

describe("hasInterpolation", () => {
  test("finds escapes and references", () => {
    expect(["$$", "$A", "${", "x${A}", "a $ b $_"].map(hasInterpolation)).toEqual([true, true, true, true, true]);
  });

  test("a literal $ is no interpolation", () => {
    expect(["", "abc", "a $ b", "^x$", "$}", "$1", "100$"].map(hasInterpolation)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("parseTemplate", () => {
  test("text parts have $$ reduced", () => {
    expectParsed("a$$b", [{ kind: "text", text: "a$b" }]);
    expectParsed("", []);
    expectParsed("a $ b$", [{ kind: "text", text: "a $ b$" }]);
  });

  test("references keep name, form and offsets", () => {
    expectParsed("$A$B", [
      { kind: "var", name: "A", braced: false, start: 0, end: 2 },
      { kind: "var", name: "B", braced: false, start: 2, end: 4 },
    ]);
    expectParsed("${A}", [{ kind: "var", name: "A", braced: true, start: 0, end: 4 }]);
    expectParsed("${A:-}", [{ kind: "var", name: "A", braced: true, op: ":-", arg: [], start: 0, end: 6 }]);
  });

  test("defaults are parsed, with offsets in the whole string", () => {
    expectParsed("x ${A:-d $B} y", [
      { kind: "text", text: "x " },
      {
        kind: "var",
        name: "A",
        braced: true,
        op: ":-",
        arg: [
          { kind: "text", text: "d " },
          { kind: "var", name: "B", braced: false, start: 9, end: 11 },
        ],
        start: 2,
        end: 12,
      },
      { kind: "text", text: " y" },
    ]);
    expectParsed("${V?need $${X}}", [
      { kind: "var", name: "V", braced: true, op: "?", arg: [{ kind: "text", text: "need ${X}" }], start: 0, end: 15 },
    ]);
  });

  test("rejects an invalid default whether or not it would be used", () => {
    expect(() => parseTemplate("${A:-${}}")).toThrow(InterpolationSyntaxError);
    expect(() => parseTemplate("ok ${foo }")).toThrow(
      'invalid interpolation format: "ok ${foo }"; you may need to escape any $ with another $',
    );
  });
});

describe("interpolateValue", () => {
  const lookup = lookupIn({ TAG: "1.2", USER: "jenny" });

  test("interpolates string values at any depth, never keys, and copies containers", () => {
    const input = {
      services: { app: { image: "app:${TAG}", $USER: "$USER", ports: ["${TAG}", 80], init: true, x: null } },
    };
    const output = interpolateValue(input, "", lookup);
    expect(output).toEqual({
      services: { app: { image: "app:1.2", $USER: "jenny", ports: ["1.2", 80], init: true, x: null } },
    });
    expect(output).not.toBe(input);
    expect(input.services.app.image).toBe("app:${TAG}");
  });

  test("scalars other than strings are returned as they are", () => {
    expect([
      interpolateValue(3, "a", lookup),
      interpolateValue(false, "a", lookup),
      interpolateValue(null, "a", lookup),
    ]).toEqual([3, false, null]);
  });

  test("errors name the path of the failing value", () => {
    expect(() => interpolateValue({ build: { args: { TOKEN: "${TOKEN:?set it}" } } }, "services.app", lookup)).toThrow(
      "error while interpolating services.app.build.args.TOKEN: required variable TOKEN is missing a value: set it",
    );
    expect(() => interpolateValue({ cache_from: ["ok", "x ${ }"] }, "build", lookup)).toThrow(
      'error while interpolating build.cache_from.1: invalid interpolation format: "x ${ }"; you may need to escape any $ with another $',
    );
  });

  test("the error keeps its cause and the offset inside the string", () => {
    let error: unknown;
    try {
      interpolateValue({ image: "app:${NOPE?}" }, "", lookup);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InterpolationError);
    const { path, offset, cause } = error as InterpolationError;
    expect([path, offset, cause instanceof RequiredVariableError]).toEqual(["image", 4, true]);
  });

  test("skip leaves a subtree alone and onUnset is passed on", () => {
    const seen: string[] = [];
    const output = interpolateValue({ a: "$NOPE", b: { c: "${ }" } }, "", lookup, {
      skip: (p) => p === "b",
      onUnset: (n) => seen.push(n),
    });
    expect([output, seen]).toEqual([{ a: "", b: { c: "${ }" } }, ["NOPE"]]);
  });
});
