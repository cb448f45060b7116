/**
 * The Compose schema check (src/compose/schema/validate.ts) on its own: compose-go's wording and "most specific"
 * choice, every independent problem listed, positions at the offending key, the de-duplication compose-go applies
 * before validating, and linear time on hostile lists. test/loading/ (error-schema-*) holds the differential cases.
 */
import { CompileError, formatDiagnostic, SourceFile } from "../../src/diagnostics";
import { schemaDiagnostics, validateComposeModel } from "../../src/compose/schema/validate";
import { parseComposeYaml, type PlainMap } from "../../src/compose/yaml";
import { firstDuplicate } from "../../src/compose/schema/unique-items";

/** Parses `text` as compose.yaml and returns the formatted diagnostics (`compose.yaml:line:col: error: …`). */
function check(text: string): string[] {
  const [doc] = parseComposeYaml(new SourceFile("/p/compose.yaml", text));
  return schemaDiagnostics(doc!.value!, doc!.positions).map((d) => formatDiagnostic(d, "/p"));
}

function messages(model: unknown): string[] {
  return schemaDiagnostics(model as PlainMap, new Map()).map((d) => d.message);
}

test("a valid file has no diagnostics, and validateComposeModel returns", () => {
  const model = { services: { app: { build: ".", image: "a", "x-note": 1 } }, "x-top": [1] } as unknown as PlainMap;
  expect(messages(model)).toEqual([]);
  expect(() => validateComposeModel(model, new Map())).not.toThrow();
});

test("the top level is `(root)`, at the unknown key", () => {
  expect(check("servces:\n  app:\n    build: .\n")).toEqual([
    "compose.yaml:1:1: error: (root) additional properties 'servces' not allowed [schema]",
  ]);
});

test("every problem is listed, sorted by position, each at its key or value", () => {
  const text = [
    "services:",
    "  b:",
    "    image: 5",
    "  a:",
    "    build: .",
    "    platfrom: x",
    "volumes:",
    "  v:",
    "    drvier: local",
    "",
  ].join("\n");
  expect(check(text)).toEqual([
    "compose.yaml:3:12: error: services.b.image must be a string [schema]",
    "compose.yaml:6:5: error: services.a additional properties 'platfrom' not allowed [schema]",
    "compose.yaml:9:5: error: volumes.v additional properties 'drvier' not allowed [schema]",
  ]);
});

test("validateComposeModel throws one CompileError with every problem", () => {
  let error: unknown;
  try {
    validateComposeModel({ services: { a: { image: 1 }, b: { image: 2 } } } as unknown as PlainMap, new Map());
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CompileError);
  expect((error as CompileError).diagnostics.map((d) => d.message)).toEqual([
    "services.a.image must be a string",
    "services.b.image must be a string",
  ]);
});

describe("compose-go's choice inside a oneOf", () => {
  test("all branches fail by type at the same depth: the first branch", () => {
    expect(messages({ services: { a: { build: 5 } } })).toEqual(["services.a.build must be a string"]);
    expect(messages({ services: { a: { build: { args: 5 } } } })).toEqual(["services.a.build.args must be a mapping"]);
  });
  test("the branch with the deepest error, and every problem of that branch", () => {
    expect(messages({ services: { a: { build: { context: 1, foo: 2 } } } }).sort()).toEqual([
      "services.a.build additional properties 'foo' not allowed",
      "services.a.build.context must be a string",
    ]);
  });
  test("an unknown key counts one level deeper than the mapping", () => {
    // ulimits.nofile: the integer|string branch fails at depth 4, the mapping branch's unknown key at 4 + 1.
    expect(messages({ services: { a: { image: "a", ulimits: { nofile: { soft: 1, hard: 2, x: 3 } } } } })).toEqual([
      "services.a.ulimits.nofile additional properties 'x' not allowed",
    ]);
  });
  test("one location, one message: the most specific of its errors", () => {
    // missing 'hard' and an unknown key on the same mapping: the unknown key wins, as in compose-go.
    expect(messages({ services: { a: { image: "a", ulimits: { nofile: { soft: 1, x: 3 } } } } })).toEqual([
      "services.a.ulimits.nofile additional properties 'x' not allowed",
    ]);
  });
});

describe("messages", () => {
  test("a failed type stops there: no enum error besides it", () => {
    expect(
      messages({ services: { a: { image: "a", depends_on: { b: { condition: 5 } } }, b: { image: "b" } } }),
    ).toEqual(["services.a.depends_on.b.condition must be a string"]);
  });
  test("enum", () => {
    expect(
      messages({ services: { a: { image: "a", depends_on: { b: { condition: "up" } } }, b: { image: "b" } } }),
    ).toEqual([
      "services.a.depends_on.b.condition value must be one of 'service_started', 'service_healthy', 'service_completed_successfully'",
    ]);
  });
  test("several missing properties", () => {
    expect(messages({ services: { a: { image: "a", develop: { watch: [{}] } } } })).toEqual([
      "services.a.develop.watch.0 missing properties 'path', 'action'",
    ]);
  });
  test("several types are sorted, object shown as mapping", () => {
    expect(messages({ secrets: { s: { external: 1 } } })).toEqual([
      "secrets.s.external must be a boolean, mapping or string",
    ]);
  });
  test("pattern, quoted like jsonschema", () => {
    expect(messages({ services: { a: { image: "a", pull_policy: "it's" } } })).toEqual([
      "services.a.pull_policy 'it\\'s' does not match pattern 'always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+'",
    ]);
  });
  test("__proto__ is an ordinary key", () => {
    const model = JSON.parse('{"services": {"__proto__": {"image": 1}}}') as PlainMap;
    expect(messages(model)).toEqual(["services.__proto__.image must be a string"]);
  });
});

describe("what compose-go de-duplicates before validating", () => {
  test("ports, cap_add, environment and build args may repeat an item", () => {
    expect(
      messages({
        services: {
          a: {
            build: { args: ["A=1", "A=1"] },
            ports: ["80:80", "80:80"],
            cap_add: ["X", "X"],
            environment: ["A=1", "A=2"],
          },
        },
      }),
    ).toEqual([]);
  });
  test("security_opt and extra_hosts may not", () => {
    expect(messages({ services: { a: { image: "a", security_opt: ["x", "y", "x"] } } })).toEqual([
      "services.a.security_opt items at 0 and 2 are equal",
    ]);
    expect(messages({ services: { a: { image: "a", extra_hosts: ["h=1", "h=1"] } } })).toEqual([
      "services.a.extra_hosts must be a mapping",
    ]);
  });
  test("the model itself is not changed", () => {
    const model = { services: { a: { image: "a", ports: ["80:80", "80:80"] } } };
    messages(model);
    expect(model.services.a.ports).toEqual(["80:80", "80:80"]);
  });
});

describe("hostile sizes stay linear", () => {
  test("firstDuplicate finds jsonschema's pair among 200,000 objects", () => {
    const items: unknown[] = Array.from({ length: 200_000 }, (_, i) => ({ target: i, b: [i] }));
    items.push({ b: [7], target: 7 });
    expect(firstDuplicate(items)).toEqual([7, 200_000]);
    expect(firstDuplicate([1, "1", 1])).toEqual([0, 2]);
    expect(firstDuplicate([null, Infinity, NaN])).toBeUndefined();
  });
  // ajv's own way of gathering the errors of each item copied the whole list each time: 8,000 items took 11 s.
  test("20,000 invalid list items: one problem each", () => {
    const N = 20_000;
    const ports = Array.from({ length: N }, (_, i) => ({ target: i, x: 1 }));
    const out = messages({ services: { a: { image: "a", ports } } });
    expect(out).toHaveLength(N);
    expect(out[0]).toBe("services.a.ports.0 additional properties 'x' not allowed");
  });
});
