/**
 * compose-go's type casts while interpolating (src/compose/type-cast.ts). The expected verdicts and messages were
 * each checked with docker-compose 2.40.3 (`config`); the loading scenarios `error-cast-*` and
 * `cast-values-accepted` run it again in every test run.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadProject } from "../../src/compose/load";
import { applyTypeCasts, castProblem, goFloatProblem, goIntProblem } from "../../src/compose/type-cast";
import { composePathText } from "../../src/compose/tree-path";
import { CompileError, DiagnosticBag, formatDiagnostic } from "../../src/diagnostics";

describe("Go's strconv, as compose-go calls it", () => {
  test.each([
    ["0", undefined],
    ["+3", undefined],
    ["-9223372036854775808", undefined],
    ["9223372036854775807", undefined],
    ["9223372036854775808", "value out of range"],
    ["", "invalid syntax"],
    ["+", "invalid syntax"],
    ["1_000", "invalid syntax"],
    ["0x10", "invalid syntax"],
    [" 1", "invalid syntax"],
    ["2.0", "invalid syntax"],
    // The unsigned digits overflow before the bad character is seen; one digit fewer and it is a syntax error.
    ["99999999999999999999x", "value out of range"],
    ["9999999999999999999x", "invalid syntax"],
  ])("ParseInt(%j, 10, 64)", (s, problem) => expect(goIntProblem(s)).toBe(problem));

  test.each([
    ["0.5", 64, undefined],
    ["1.", 64, undefined],
    [".5", 64, undefined],
    ["1_0.5", 64, undefined],
    ["0x1p-2", 64, undefined],
    ["0x1.8P+1", 64, undefined],
    ["-Infinity", 64, undefined],
    ["inf", 64, undefined],
    ["NaN", 64, undefined],
    ["+nan", 64, "invalid syntax"],
    ["infin", 64, "invalid syntax"],
    ["0x1", 64, "invalid syntax"],
    ["_1", 64, "invalid syntax"],
    ["1__0", 64, "invalid syntax"],
    ["1e+", 64, "invalid syntax"],
    [".", 64, "invalid syntax"],
    ["1.2.3", 64, "invalid syntax"],
    ["1e400", 64, "value out of range"],
    ["1e39", 64, undefined],
    ["1e39", 32, "value out of range"],
    ["3.4e38", 32, undefined],
  ] as const)("ParseFloat(%j, %d)", (s, bits, problem) => expect(goFloatProblem(s, bits)).toBe(problem));

  test("messages read as Go prints a NumError", () => {
    expect(castProblem("int", "8x")).toBe('strconv.Atoi: parsing "8x": invalid syntax');
    expect(castProblem("int64", "x1")).toBe('strconv.ParseInt: parsing "x1": invalid syntax');
    expect(castProblem("float32", "1e39")).toBe('strconv.ParseFloat: parsing "1e39": value out of range');
    expect(castProblem("boolean", "maybe")).toBe("invalid boolean: maybe");
    expect(castProblem("boolean", "Off")).toBeUndefined();
  });
});

describe("applyTypeCasts", () => {
  const doc = (services: Record<string, unknown>): Record<string, unknown> => ({ services });

  test("casts the table's places and copies only what changed", () => {
    const other = { image: "x", labels: { a: "1" } };
    const input = doc({ a: { init: "yes", cpus: "0.5", ports: ["80", { target: "81" }], tty: true }, b: other });
    const out = applyTypeCasts(input);
    expect(out).toEqual({
      value: doc({ a: { init: true, cpus: 0.5, ports: ["80", { target: 81 }], tty: true }, b: other }),
    });
    expect((out as { value: { services: { b: unknown } } }).value.services.b).toBe(other);
    expect((input.services as { a: { init: unknown } }).a.init).toBe("yes");
  });

  test("names the first failure with our path and compose-go's", () => {
    expect(applyTypeCasts(doc({ a: { volumes: [{ type: "volume", read_only: "nah" }] } }))).toEqual({
      failure: {
        path: "services.a.volumes.0.read_only",
        message:
          "error while interpolating services.a.volumes.[].read_only: failed to cast to expected type: invalid boolean: nah",
      },
    });
  });

  test("leaves places outside the table alone, build keys included", () => {
    const input = doc({ a: { build: { privileged: "maybe", ulimits: { nofile: "x" } }, environment: { init: "x" } } });
    expect(applyTypeCasts(input)).toEqual({ value: input });
  });
});

describe("composePathText", () => {
  test("list items are `[]`, a key holding dots stays one step", () => {
    const root = { services: { "web.api": { build: { tags: ["a", "b"] } } } };
    expect(composePathText(root, "services.web.api.build.tags.1")).toBe("services.web.api.build.tags.[]");
  });
  test("linear on a long key of many dots", () => {
    const key = ".image".repeat(50_000);
    const root = { services: { a: { build: { labels: { [key]: "${X:?}" } } } } };
    expect(composePathText(root, `services.a.build.labels.${key}`)).toBe(`services.a.build.labels.${key}`);
  });
});

describe("in a project", () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
  const load = (compose: string, variables: "keep" | "resolve", env: Record<string, string> = {}): string => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-cast-")));
    roots.push(root);
    fs.writeFileSync(path.join(root, "compose.yaml"), compose);
    try {
      loadProject({ cwd: root, env, variables }, new DiagnosticBag());
      return "ok";
    } catch (e) {
      if (e instanceof CompileError) return e.diagnostics.map((d) => formatDiagnostic(d, root)).join("\n");
      throw e;
    }
  };

  test("a literal that never casts is refused in both modes", () => {
    const compose = "services:\n  a:\n    build: .\n    init: foo\n";
    const message =
      "compose.yaml:4:11: error: error while interpolating services.a.init: failed to cast to expected type: invalid boolean: foo [interpolation]";
    expect(load(compose, "resolve")).toBe(message);
    expect(load(compose, "keep")).toBe(message);
  });

  test("a value with a variable is judged with the environment by --resolve, and left to run time in keep mode", () => {
    const compose = 'services:\n  a:\n    build: .\n    tty: "${T}"\n';
    expect(load(compose, "resolve", { T: "true" })).toBe("ok");
    expect(load(compose, "resolve", { T: "maybe" })).toContain("invalid boolean: maybe");
    // Keep mode resolves this place as if T were unset; `""` is no boolean, but T may well be set where bake runs.
    expect(load(compose, "keep")).toBe("ok");
    // `$$` is no variable: the value is known now.
    expect(load('services:\n  a:\n    build: .\n    tty: "$$"\n', "keep")).toContain("invalid boolean: $");
  });
});
