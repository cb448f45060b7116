/**
 * "Keep" mode (the default), unit level: the bake variables, expressions and validations generated for each
 * `${…}` form (src/compose/keep.ts, src/bake/variables.ts), the fallbacks with their warnings, and the output's
 * independence from the environment it is generated in. That bake evaluates them like Compose is checked with the
 * real bake in property.test.ts; the last block pins one line per bug that test found.
 */
import {
  compose2bake,
  convertProject,
  DiagnosticBag,
  emit,
  formatDiagnostic,
  loadProject,
  type BakeFile,
  type BakeString,
  type Diagnostic,
} from "../../src/index";
import * as path from "node:path";
import { InterpolationSyntaxError, type TemplatePart } from "../../src/compose/interpolate";
import { KeptVariables } from "../../src/compose/keep";
import { tempProject } from "../support/run";

function keep(compose: string, options: { env?: Record<string, string>; files?: Record<string, string> } = {}) {
  const cwd = tempProject({ "compose.yaml": compose, ...options.files });
  const run = (format: "json" | "hcl") => compose2bake({ cwd, env: options.env ?? {}, format });
  const json = run("json");
  return { bake: json.bake, json: json.text, hcl: run("hcl").text, diagnostics: json.diagnostics, cwd };
}

/** One build arg `X` holding `value`, in a service `app`. */
function arg(value: string) {
  const r = keep(`services:\n  app:\n    build:\n      context: .\n      args:\n        X: ${JSON.stringify(value)}\n`);
  return { ...r, value: (r.bake.target.app!.args as Record<string, BakeString>).X as BakeString };
}

const warnings = (ds: readonly Diagnostic[], code?: string) =>
  ds.filter((d) => d.severity === "warning" && (code === undefined || d.code === code)).map((d) => d.message);

describe("each operator becomes one expression", () => {
  const typed = { type: "string", default: null };
  const plain = { default: "" };
  test.each([
    ["${V}", "V", plain],
    ["$V", "V", plain],
    ["${V:-d}", 'V == "" ? "d" : V', plain],
    ["${V-d}", 'V == null ? "d" : V', typed],
    [
      "${V:?m}",
      "V",
      { ...plain, validation: [{ condition: 'V != ""', error_message: "required variable V is missing a value: m" }] },
    ],
    [
      "${V?m}",
      'V == null ? "" : V',
      {
        ...typed,
        validation: [{ condition: "V != null", error_message: "required variable V is missing a value: m" }],
      },
    ],
    [
      "${V:?}",
      "V",
      { ...plain, validation: [{ condition: 'V != ""', error_message: "required variable V is missing a value" }] },
    ],
    ["${V:+a}", 'V == "" ? "" : "a"', plain],
    ["${V+a}", 'V == null ? "" : "a"', typed],
  ])("%s → %s", (template, expr, variable) => {
    const r = arg(template);
    expect(r.value).toEqual({ template: [{ expr }] });
    expect(r.bake.variable).toEqual({ V: variable });
    expect(r.diagnostics).toEqual([]);
  });

  test("a variable used with `-`, `?` or `+` anywhere is typed, and its `:-` checks null too", () => {
    const r = arg("${V:-d}/${V+x}");
    expect(r.value).toEqual({
      template: [{ expr: 'V == null || V == "" ? "d" : V' }, "/", { expr: 'V == null ? "" : "x"' }],
    });
    expect(r.bake.variable.V).toEqual({ type: "string", default: null });
  });

  test("text around references stays literal, and the HCL reads as written", () => {
    const r = arg("img:${TAG:-latest}-x");
    expect(r.value).toEqual({ template: ["img:", { expr: 'TAG == "" ? "latest" : TAG' }, "-x"] });
    expect(r.hcl).toContain('X = "img:${TAG == "" ? "latest" : TAG}-x"');
    expect(r.json).toContain('"X": "img:${TAG == \\"\\" ? \\"latest\\" : TAG}-x"');
  });
});

describe("nesting, escapes and special text", () => {
  test("a default holding a default: a quoted template inside the expression", () => {
    expect(arg("${A:-${B:-x}_y}").value).toEqual({ template: [{ expr: 'A == "" ? "${B == "" ? "x" : B}_y" : A' }] });
  });

  test("three levels, every operator kind", () => {
    expect(arg("${A-${B:+${C:-z}}}").value).toEqual({
      template: [{ expr: 'A == null ? "${B == "" ? "" : "${C == "" ? "z" : C}"}" : A' }],
    });
  });

  test("`$$` is a literal `$`, and `$${X}` a literal `${X}` with no variable", () => {
    const r = arg("a$$b $${X}");
    expect(r.value).toBe("a$b ${X}");
    expect(r.bake.variable).toEqual({});
    expect(r.hcl).toContain('X = "a$b $${X}"');
  });

  test("a literal `$` right before a reference is an interpolated string, not the `$${` escape", () => {
    const r = arg("$$${A}");
    expect(r.value).toEqual({ template: ["$", { expr: "A" }] });
    expect(r.hcl).toContain('X = "${"$"}${A}"');
  });

  test("quotes, backslashes, `%{` and unicode in a default are HCL-escaped inside the expression", () => {
    expect(arg('${A:-"q" \\ %{x} ü}').hcl).toContain('X = "${A == "" ? "\\"q\\" \\\\ %%{x} ü" : A}"');
  });
});

describe("value-less args", () => {
  test("list form `- TOKEN`: the variable alone (null when unset, so bake drops the arg)", () => {
    const r = keep("services:\n  app:\n    build:\n      context: .\n      args:\n        - TOKEN\n");
    expect(r.bake.target.app!.args).toEqual({ TOKEN: { template: [{ expr: "TOKEN" }] } });
    expect(r.bake.variable).toEqual({ TOKEN: { type: "string", default: null } });
  });

  test("map form `TOKEN:` is the same", () => {
    const r = keep("services:\n  app:\n    build:\n      context: .\n      args:\n        TOKEN:\n");
    expect(r.bake.target.app!.args).toEqual({ TOKEN: { template: [{ expr: "TOKEN" }] } });
  });
});

describe("fallbacks, with a warning", () => {
  test("a reserved name is resolved as if unset", () => {
    const r = arg("${BAKE_LOCAL_PLATFORM:-linux/amd64}-${null}");
    expect(r.value).toEqual({ template: ["linux/amd64-"] });
    expect(r.bake.variable).toEqual({});
    expect(warnings(r.diagnostics, "kept-variable-reserved")).toEqual([
      "variable BAKE_LOCAL_PLATFORM cannot be a bake variable (the name means something else to bake or HCL); its references are resolved as if it were unset",
      "variable null cannot be a bake variable (the name means something else to bake or HCL); its references are resolved as if it were unset",
    ]);
  });

  test("a kept DEBUG is kept, with a warning: the docker CLI turns any value of DEBUG into 1 before bake reads it", () => {
    const r = arg("${DEBUG:-false}");
    expect(r.value).toEqual({ template: [{ expr: 'DEBUG == "" ? "false" : DEBUG' }] });
    expect(warnings(r.diagnostics, "kept-variable-debug")).toEqual([
      "variable DEBUG is kept, but docker buildx bake never reads its value: buildx (through the docker CLI's debug switch, also when run as docker-buildx) replaces any non-empty DEBUG with 1 and turns on its debug output. Rename the variable, or generate with --resolve",
    ]);
    expect(warnings(arg("${NODE_DEBUG:-0}").diagnostics, "kept-variable-debug")).toEqual([]);
  });

  test("the DEBUG warning names the first place the variable is kept, also inside another reference", () => {
    const r = keep(
      "services:\n  app:\n    build:\n      context: .\n      labels:\n        l: x\n      args:\n        X: ${A:-${DEBUG}}\n        Y: ${DEBUG}\n",
    );
    const d = r.diagnostics.filter((x) => x.code === "kept-variable-debug");
    expect(d.map((x) => formatDiagnostic(x, r.cwd).split(": warning:")[0])).toEqual(["compose.yaml:8:12"]);
  });

  test("a value bake has no place for is resolved as unset, the warning names the place and the variables; a path and a size are kept (issue #13)", () => {
    const r = keep(
      "services:\n  app:\n    build:\n      context: ./${DIR}\n      isolation: ${ISO}\n      shm_size: ${SHM:-1g}\n",
    );
    // Compose's context rule on the value (src/bake/path-expression.ts): remote when it holds `://`, else from here.
    expect(r.bake.target.app!.context).toEqual({
      template: [{ expr: '[for p in ["./${DIR}"] : can(regex("://", p)) ? p : "./${p}"][0]' }],
    });
    // bake parses shm-size with the go-units RAMInBytes Compose uses.
    expect(r.bake.target.app!["shm-size"]).toEqual({ template: [{ expr: 'SHM == "" ? "1g" : SHM' }] });
    // Compose's decoding check on the size, whichever target bake builds (stop 18, counterexample d).
    expect(r.bake.variable).toEqual({
      DIR: { default: "" },
      SHM: {
        default: "",
        validation: [
          {
            condition: expect.stringContaining('can(regex("^') as unknown,
            error_message: {
              template: ["'services[app].build.shm_size' invalid size: '", { expr: 'SHM == "" ? "1g" : SHM' }, "'"],
            },
          },
        ],
      },
    });
    expect(warnings(r.diagnostics, "variable-resolved")).toEqual([
      "services.app.build.isolation uses $ISO where bake cannot keep a variable (compose2bake rewrites or parses this value); it was resolved as if unset. Use --resolve to substitute the environment's values",
    ]);
    const place = r.diagnostics.find((d) => d.code === "variable-resolved")!;
    expect(formatDiagnostic(place, r.cwd)).toMatch(
      /^compose\.yaml:\d+:\d+: warning: services\.app\.build\.isolation uses/,
    );
  });

  describe("a key in list form stays a variable: the map is built when bake runs (issue #13)", () => {
    const compose =
      "services:\n  app:\n    build:\n      context: .\n      args:\n        - ${K}X=${V:-d}\n      labels:\n        - l.${K}=l\n";

    test("no value of the generating environment (nor .env) is written into the file", () => {
      const r = keep(compose, { env: { K: "SECRET_KEY_VALUE", V: "ignored" } });
      expect(r.json).not.toContain("SECRET_KEY_VALUE");
      const same = (o: ReturnType<typeof keep>) => [
        o.bake.target.app!.args,
        o.bake.target.app!.labels,
        o.bake.variable,
      ];
      expect(same(keep(compose))).toEqual(same(r));
      expect(same(keep(compose, { files: { ".env": "K=DOT\n" } }))).toEqual(same(r));
      expect(r.bake.target.app!.args).toEqual({
        template: [
          { expr: '{ for m in [regex("^([^=]*)=?([\\\\s\\\\S]*)$", "${K}X=${V == "" ? "d" : V}")] : m[0] => m[1] }' },
        ],
      });
      expect(r.bake.target.app!.labels).toEqual({
        template: [{ expr: '{ for m in [regex("^([^=]*)=?([\\\\s\\\\S]*)$", "l.${K}=l")] : m[0] => m[1] }' }],
      });
      expect(Object.keys(r.bake.variable)).toEqual(["K", "V"]);
      expect(r.diagnostics.filter((d) => d.severity === "warning")).toEqual([]);
    });

    test("literal items around it are merged in order, the last of a key winning; known keys are cut now", () => {
      const r = keep(
        "name: proj\nservices:\n  app:\n    build:\n      context: .\n      args:\n        - A=1\n        - ${K:-A}=2\n        - B\n        - ${COMPOSE_PROJECT_NAME}=p\n        - A=3\n",
      );
      expect(r.bake.target.app!.args).toEqual({
        template: [
          {
            expr: 'merge({ for m in [regex("^([^=]*)=?([\\\\s\\\\S]*)$", "${K == "" ? "A" : K}=2")] : m[0] => m[1] }, { "B" = "${B}", "proj" = "p", "A" = "3" })',
          },
        ],
      });
      expect(r.bake.variable.B).toEqual({ type: "string", default: null });
    });

    test("a value-less `- ${N}` is resolved as if unset, never from the environment (issue #12)", () => {
      // Compose would take the arg's name from N and then look that name up: bake can do neither, and writing N's
      // value into the file would put an environment value (perhaps a secret) into a committed file.
      const compose =
        "services:\n  app:\n    build:\n      context: .\n      args:\n        - ${N}\n        - ${M:-DEFAULT_NAME}\n        - ${KV}\n";
      const r = keep(compose, { env: { N: "TOKEN", KV: "P=1=2" } });
      expect(r.bake.target.app!.args).toEqual({ DEFAULT_NAME: { template: [{ expr: "DEFAULT_NAME" }] } });
      expect(r.bake.variable).toEqual({ DEFAULT_NAME: { type: "string", default: null } });
      expect(r.json).not.toContain("TOKEN");
      expect(r.json).not.toContain("1=2");
      expect(warnings(r.diagnostics, "valueless-arg-name-resolved")).toEqual([
        "services.app.build.args.0 is a value-less arg named by $N: bake cannot take an arg's name from a variable, so it was resolved as if unset (docker compose would look up the variable the name gives). Use --resolve to substitute the environment's values",
        "services.app.build.args.1 is a value-less arg named by $M: bake cannot take an arg's name from a variable, so it was resolved as if unset (docker compose would look up the variable the name gives). Use --resolve to substitute the environment's values",
        "services.app.build.args.2 is a value-less arg named by $KV: bake cannot take an arg's name from a variable, so it was resolved as if unset (docker compose would look up the variable the name gives). Use --resolve to substitute the environment's values",
      ]);
      expect(keep(compose).bake.target.app!.args).toEqual(r.bake.target.app!.args);
      // Each warning names where the file wrote the item.
      const places = r.diagnostics
        .filter((d) => d.code === "valueless-arg-name-resolved")
        .map((d) => formatDiagnostic(d, r.cwd).split(": warning:")[0]);
      expect(places).toEqual(["compose.yaml:6:11", "compose.yaml:7:11", "compose.yaml:8:11"]);
    });

    test("a required variable in a key is a validation, as elsewhere", () => {
      const r = keep("services:\n  app:\n    build:\n      context: .\n      args:\n        - ${K:?need K}=v\n");
      expect(r.bake.variable.K!.validation).toEqual([
        { condition: 'K != ""', error_message: "required variable K is missing a value: need K" },
        expect.objectContaining({ condition: expect.stringContaining("urlencode") as unknown }),
      ]);
    });
  });

  test("variables set in .env are listed in a warning (bake does not read .env); the output ignores their values", () => {
    const compose =
      "services:\n  app:\n    image: app:${TAG:-latest}\n    build:\n      context: .\n      args:\n        A: ${A}\n        B: ${B}\n";
    const r = keep(compose, { files: { ".env": "TAG=1.0\nA=a\nUNUSED=u\n" } });
    expect(warnings(r.diagnostics, "kept-variable-in-env-file")).toEqual([
      "A, TAG are set in an env file, which docker buildx bake does not read: export them when running bake, or generate with --resolve",
    ]);
    expect(r.json).toBe(keep(compose).json);
  });
});

test("variables set only in an included project's env file are its defaults, not a warning to export them", () => {
  const files = {
    "sub/compose.yaml":
      "services:\n  lib:\n    build:\n      context: .\n      args:\n        A: ${A}\n        B: ${B}\n",
    "sub/vars.env": "A=from-include\n",
    "sub/.env": "B=from-include-dotenv\n",
  };
  const withEnvFile = keep("include:\n  - path: sub/compose.yaml\n    env_file: sub/vars.env\n", { files });
  expect(warnings(withEnvFile.diagnostics)).toEqual([]);
  expect(withEnvFile.bake.variable).toEqual({ A: { default: "from-include" }, B: { default: "" } });
  // Without env_file, the include's own .env is its env file.
  expect(keep("include:\n  - sub/compose.yaml\n", { files }).bake.variable).toEqual({
    A: { default: "" },
    B: { default: "from-include-dotenv" },
  });
});

describe("requirements", () => {
  test("`${X:?msg}` outside the build section (a db service's environment) still becomes a validation", () => {
    const r = keep(
      "services:\n  app:\n    build: .\n  db:\n    image: postgres\n    environment:\n      PW: ${PW:?set a password}\n",
    );
    expect(r.bake.variable).toEqual({
      PW: {
        default: "",
        validation: [
          { condition: 'PW != ""', error_message: "required variable PW is missing a value: set a password" },
        ],
      },
    });
    expect(r.hcl).toContain('condition     = PW != ""');
  });

  test("the same requirement twice gives one validation; different messages give one each", () => {
    const r = arg("${V:?a}${V:?a}${V?b}");
    expect(r.bake.variable.V!.validation).toEqual([
      { condition: 'V != null && V != ""', error_message: "required variable V is missing a value: a" },
      { condition: "V != null", error_message: "required variable V is missing a value: b" },
    ]);
  });

  test("a message is written as text, its references as written (as --resolve shows it: never a value)", () => {
    expect(arg("${V:?need ${W:-w} $$}").bake.variable.V!.validation).toEqual([
      { condition: 'V != ""', error_message: "required variable V is missing a value: need ${W:-w} $" },
    ]);
  });
});

describe("the kept output does not depend on the environment it is generated in", () => {
  const compose = [
    "services:",
    "  app:",
    "    image: example/app:${TAG:-latest}",
    "    build:",
    "      context: .",
    "      args:",
    "        - TAG",
    "        - A=${TAG}${OTHER-x}",
    "        - B=${OTHER:?needed}",
    "      labels:",
    "        v: ${TAG:+v$TAG}",
    '      tags: ["${REG-r}/app:${TAG}"]',
    "      target: ${STAGE:-final}",
    "",
  ].join("\n");
  const envs = [{ TAG: "a" }, {}, { TAG: "b", OTHER: "x" }, { TAG: "", OTHER: "", STAGE: "s" }];

  test.each(["json", "hcl"] as const)("%s: byte-identical under every environment", (format) => {
    const cwd = tempProject({ "compose.yaml": compose });
    const [first, ...rest] = envs.map((env) => compose2bake({ cwd, env, format }).text);
    for (const text of rest) expect(text).toBe(first);
    // --resolve does depend on it, as it should.
    expect(compose2bake({ cwd, env: { TAG: "a", OTHER: "o" }, format, variables: "resolve" }).text).not.toBe(
      compose2bake({ cwd, env: { TAG: "b", OTHER: "o" }, format, variables: "resolve" }).text,
    );
  });
});

// One line per bug found by property.test.ts (each failed before its fix).
describe("regressions", () => {
  test("`$${` in a default is escaped inside the nested string (was written as `${`: an unknown variable)", () => {
    expect(arg("${A:-$${B}}").hcl).toContain('X = "${A == "" ? "$${B}" : A}"');
  });

  test("`$$$$` before a nested reference is one interpolated `$$` (was `$${…}`: the escape)", () => {
    expect(arg("${A:-$$$$${B}}").hcl).toContain('X = "${A == "" ? "${"$$"}${B}" : A}"');
  });

  test("a requirement in a service without build (its image) is still validated (was dropped)", () => {
    expect(
      keep("services:\n  app:\n    build: .\n  db:\n    image: postgres:${PG:?tag}\n").bake.variable.PG?.validation,
    ).toHaveLength(1);
  });

  test("a requirement in a value a later file overrides is still validated (was dropped)", () => {
    const r = keep("services:\n  app:\n    build:\n      context: .\n      args:\n        X: ${X:?x}\n", {
      files: { "compose.override.yaml": "services:\n  app:\n    build:\n      args:\n        X: y\n" },
    });
    expect(r.bake.variable.X?.validation).toEqual([
      { condition: 'X != ""', error_message: "required variable X is missing a value: x" },
    ]);
  });

  test("a requirement inside a default is checked when the default is used (was dropped, with a warning)", () => {
    const r = arg("${A:-${B:?m}}${C+${D?n}}");
    expect(r.bake.variable.B!.validation).toEqual([
      { condition: 'A != "" || B != ""', error_message: "required variable B is missing a value: m" },
    ]);
    expect(r.bake.variable.D!.validation).toEqual([
      { condition: "C == null || D != null", error_message: "required variable D is missing a value: n" },
    ]);
    expect(r.diagnostics).toEqual([]);
  });

  test('a target, network or dockerfile_inline that comes out empty is null, as Compose leaves it out (was "")', () => {
    const t = keep(
      "services:\n  app:\n    build:\n      context: .\n      target: ${T}\n      network: ${N-}\n      dockerfile_inline: ${I}${T}\n",
    ).bake.target.app!;
    expect([t.target, t.network, t["dockerfile-inline"]]).toEqual([
      { template: [{ expr: 'T == "" ? null : T' }] },
      { template: [{ expr: '(N == null ? "" : N) == "" ? null : (N == null ? "" : N)' }] },
      { template: [{ expr: '"${I}${T}" == "" ? null : "${I}${T}"' }] },
    ]);
  });

  test("…but not when it cannot be empty", () => {
    expect(
      keep("services:\n  app:\n    build:\n      context: .\n      target: ${T:-final}\n      network: ${N:?}\n").bake
        .target.app!.target,
    ).toEqual({ template: [{ expr: 'T == "" ? "final" : T' }] });
  });

  test("a reserved name inside a default: only it is resolved, the rest stays kept (was resolved as unset too)", () => {
    expect(arg("${A:-${null:-${B}}}").value).toEqual({ template: [{ expr: 'A == "" ? "${B}" : A' }] });
  });

  test("a value-less arg with a reserved name is dropped, as when unset (was an empty arg)", () => {
    expect(
      keep("services:\n  app:\n    build:\n      context: .\n      args:\n        - BAKE_LOCAL_PLATFORM\n").bake.target
        .app!.args,
    ).toEqual({ BAKE_LOCAL_PLATFORM: { template: [{ expr: "null" }] } });
  });

  test('a value-less arg whose key comes out empty (`- ${UNSET}`) is dropped (was a variable named "")', () => {
    const r = keep("services:\n  app:\n    build:\n      context: .\n      args:\n        - ${K}\n");
    expect(r.bake.target.app!.args ?? {}).toEqual({});
    expect(r.bake.variable).toEqual({});
  });

  test("COMPOSE_PROJECT_NAME, which Compose sets to the project name, is written as that name", () => {
    const cwd = tempProject({
      "compose.yaml":
        "name: proj\nservices:\n  app:\n    build:\n      context: .\n      args:\n        P: ${COMPOSE_PROJECT_NAME}-${COMPOSE_PROJECT_NAME:+x}-${A:-${COMPOSE_PROJECT_NAME}}\n",
    });
    const diagnostics = new DiagnosticBag();
    const project = loadProject({ cwd, env: {}, variables: "keep" }, diagnostics);
    // convertProject applies the kept variables itself, passing the project name as fixed.
    const bake: BakeFile = convertProject(project, { outputDir: cwd }, diagnostics);
    expect((bake.target.app!.args as Record<string, BakeString>).P).toEqual({
      template: ["proj-x-", { expr: 'A == "" ? "proj" : A' }],
    });
    expect(Object.keys(bake.variable)).toEqual(["A"]);
    expect(emit(bake, "hcl")).toContain('P = "proj-x-${A == "" ? "proj" : A}"');
  });
});

describe("hostile input (issue #12)", () => {
  test("a map key named `template` is a key: the attribute's kind decides, not the value's shape", () => {
    const r = keep(
      "services:\n  app:\n    build:\n      context: .\n      args:\n        template: a\n        VERSION: ${V}\n      labels:\n        template: ${L}\n",
    );
    expect(r.bake.target.app!.args).toEqual({ template: "a", VERSION: { template: [{ expr: "V" }] } });
    expect(r.bake.target.app!.labels).toEqual({ template: { template: [{ expr: "L" }] } });
    expect(r.bake.variable).toEqual({ L: { default: "" }, V: { default: "" } });
  });

  test("text shaped like the old token format stays literal, and names no reference", () => {
    const forged = "x\uE0000\uE001y\uE0007\uE001";
    const r = keep(
      `services:\n  app:\n    image: "${forged}"\n    build:\n      context: .\n      args:\n        V: \${V}\n        A: "${forged}\${W}"\n`,
    );
    expect(r.bake.target.app!.args).toEqual({
      V: { template: [{ expr: "V" }] },
      A: { template: [forged, { expr: "W" }] },
    });
    expect(r.bake.target.app!.tags).toEqual([forged]);
  });

  test("a value-less arg whose name is not a variable name is dropped with a warning, never written as an expression", () => {
    const r = keep(
      'services:\n  app:\n    build:\n      context: .\n      args:\n        - upper("x")\n        - my.arg\n        - A-B\n        - OK\n      labels:\n        - upper("label")\n',
      {
        env: { "my.arg": "set" },
      },
    );
    expect(r.bake.target.app!.args).toEqual({ OK: { template: [{ expr: "OK" }] } });
    // A label has no variable behind it: a key like any other.
    expect(r.bake.target.app!.labels).toEqual({ 'upper("label")': "" });
    expect(r.bake.variable).toEqual({ OK: { type: "string", default: null } });
    expect(warnings(r.diagnostics, "valueless-arg-dropped")).toEqual([
      'build args "upper(\\"x\\")", "my.arg", "A-B" have no value and their names are not variable names bake can read; they are dropped, as docker compose drops them when no variable of that name is set',
    ]);
  });

  test("where a value is kept is decided per path segment: dots and newlines in names do not move it", () => {
    const r = keep(
      'services:\n  a.image:\n    image: ${I}\n    environment:\n      x.image: ${E}\n    build:\n      context: .\n      isolation: ${S}\n      labels: {"k.build.labels.x\\n": "${L}"}\n',
    );
    const t = r.bake.target.a_image!;
    // An image that may come out empty falls back to Compose's default name (see "the default image name").
    expect(t.tags).toEqual([{ template: [{ expr: `I == "" ? "${path.basename(r.cwd).toLowerCase()}-a.image" : I` }] }]);
    expect(t.labels).toEqual({ "k.build.labels.x\n": { template: [{ expr: "L" }] } });
    // environment never reaches bake: not a variable (it used to match `^services\..+\.image$`).
    expect(Object.keys(r.bake.variable).sort()).toEqual(["I", "L"]);
    expect(warnings(r.diagnostics, "variable-resolved")).toEqual([
      "services.a.image.build.isolation uses $S where bake cannot keep a variable (compose2bake rewrites or parses this value); it was resolved as if unset. Use --resolve to substitute the environment's values",
    ]);
  });
});

describe("the default image name (issue #13, item 2)", () => {
  const project = (cwd: string) => path.basename(cwd).toLowerCase();

  test("an `image:` that may interpolate to empty falls back to <project>-<service> inside the expression", () => {
    const r = keep(
      "services:\n  a:\n    build: .\n    image: ${TAG_IMAGE}\n  b:\n    build: .\n    image: ${A}${B-}\n",
    );
    const p = project(r.cwd);
    expect(r.bake.target.a!.tags).toEqual([{ template: [{ expr: `TAG_IMAGE == "" ? "${p}-a" : TAG_IMAGE` }] }]);
    expect(r.hcl).toContain(
      `tags       = ["\${"\${A}\${B == null ? "" : B}" == "" ? "${p}-b" : "\${A}\${B == null ? "" : B}"}"]`,
    );
    expect(r.bake.variable).toEqual({
      A: { default: "" },
      B: { type: "string", default: null },
      TAG_IMAGE: { default: "" },
    });
  });

  test("an image that can never be empty stays as it is, and still de-duplicates against an equal tag", () => {
    const r = keep(
      'services:\n  a:\n    build:\n      context: .\n      tags: ["${T:-x}"]\n    image: ${T:-x}\n  b:\n    build: .\n    image: repo/${T}\n  c:\n    build: .\n    image: ${T:?need}\n',
    );
    expect(r.bake.target.a!.tags).toEqual([{ template: [{ expr: 'T == "" ? "x" : T' }] }]);
    expect(r.bake.target.b!.tags).toEqual([{ template: ["repo/", { expr: "T" }] }]);
    expect(r.bake.target.c!.tags).toEqual([{ template: [{ expr: "T" }] }]);
  });

  test("COMPOSE_COMPATIBILITY's `_` separator is used in the fallback too", () => {
    const r = keep("services:\n  a:\n    build: .\n    image: ${I}\n", { env: { COMPOSE_COMPATIBILITY: "true" } });
    expect(r.bake.target.a!.tags).toEqual([{ template: [{ expr: `I == "" ? "${project(r.cwd)}_a" : I` }] }]);
  });
});

describe("variables from an included project's env file (issue #13, item 3)", () => {
  const files = (subEnv: string, subCompose: string) => ({
    "sub/compose.yaml": subCompose,
    "sub/.env": subEnv,
  });
  const main = (args: string) =>
    `include:\n  - path: sub/compose.yaml\n    env_file: sub/.env\nservices:\n  app:\n    build:\n      context: .\n${args}`;
  const sub =
    "services:\n  lib:\n    build:\n      context: .\n      args:\n        A: ${A}\n        B: ${B-none}\n        S: ${S:-sub}\n";

  test("a variable only the included services read gets the env file's value as its default", () => {
    const r = keep(main(""), { files: files("A=from-env-file\nB=\nS=s\n", sub) });
    expect(r.bake.variable).toEqual({
      A: { default: "from-env-file" },
      B: { type: "string", default: "" },
      S: { default: "s" },
    });
    expect(r.bake.target.lib!.args).toEqual({
      A: { template: [{ expr: "A" }] },
      B: { template: [{ expr: 'B == null ? "none" : B' }] },
      S: { template: [{ expr: 'S == "" ? "sub" : S' }] },
    });
    // Nothing to export: the included env file is not listed.
    expect(warnings(r.diagnostics)).toEqual([]);
  });

  test("the output does not depend on the environment it is generated in", () => {
    const a = keep(main(""), { files: files("A=from-env-file\n", sub) });
    const b = keep(main(""), { files: files("A=from-env-file\n", sub), env: { A: "from-process" } });
    expect(b.hcl).toBe(a.hcl.split(path.basename(a.cwd).toLowerCase()).join(path.basename(b.cwd).toLowerCase()));
  });

  test("read by the main project too: null by default, and the env file's value when null in the included services", () => {
    const r = keep(main("      args:\n        S: ${S:-main}\n"), { files: files("A=a\nS=s\n", sub) });
    expect(r.bake.variable).toEqual({
      A: { default: "a" },
      B: { type: "string", default: null },
      S: { type: "string", default: null },
    });
    // Null (unset) is the env file's value there, so `:-` only takes its default for an empty S.
    expect((r.bake.target.lib!.args as Record<string, BakeString>).S).toEqual({
      template: [{ expr: 'S == "" ? "sub" : (S == null ? "s" : S)' }],
    });
    expect((r.bake.target.app!.args as Record<string, BakeString>).S).toEqual({
      template: [{ expr: 'S == null || S == "" ? "main" : S' }],
    });
    expect(warnings(r.diagnostics)).toEqual([]);
  });

  test("operators the include's value settles are written as their outcome; requirements it meets are dropped", () => {
    const r = keep(main("      args:\n        S: ${S}\n"), {
      files: files(
        "S=s\n",
        "services:\n  lib:\n    build:\n      context: .\n      args:\n        A: ${S-d}\n        B: ${S+alt}\n        C: ${S?need}\n        D: ${S:?need}\n        E: ${S:+x${S}}\n",
      ),
    });
    expect(r.bake.target.lib!.args).toEqual({
      A: { template: [{ expr: 'S == null ? "s" : S' }] },
      B: { template: ["alt"] },
      C: { template: [{ expr: 'S == null ? "s" : S' }] },
      D: { template: [{ expr: 'S == null ? "s" : S' }] },
      E: { template: [{ expr: 'S == "" ? "" : "x${S == null ? "s" : S}"' }] },
    });
    // `${S?…}` can never fail there; `${S:?…}` fails only for an empty S (null is "s").
    expect(r.bake.variable!.S).toEqual({
      type: "string",
      default: null,
      validation: [{ condition: 'S != ""', error_message: "required variable S is missing a value: need" }],
    });
  });

  test("an env file value that is empty: null and empty both read as empty there", () => {
    const r = keep(main("      args:\n        S: ${S}\n"), {
      files: files(
        "S=\n",
        "services:\n  lib:\n    build:\n      context: .\n      args:\n        A: ${S:-d}\n        B: ${S:?need}\n",
      ),
    });
    expect((r.bake.target.lib!.args as Record<string, BakeString>).A).toEqual({
      template: [{ expr: 'S == null || S == "" ? "d" : S' }],
    });
    expect(r.bake.variable!.S!.validation).toEqual([
      { condition: 'S != null && S != ""', error_message: "required variable S is missing a value: need" },
    ]);
  });

  test("two includes reading one name with different values: a null default, each include its own value", () => {
    const lib = (n: string) =>
      `services:\n  ${n}:\n    build:\n      context: .\n      args:\n        V: \${V:?need V}\n`;
    const r = keep("include:\n  - path: one/compose.yaml\n  - path: two/compose.yaml\n", {
      files: {
        "one/compose.yaml": lib("one"),
        "one/.env": "V=1\n",
        "two/compose.yaml": lib("two"),
        "two/.env": "V=2\n",
      },
    });
    expect(r.bake.target.one!.args).toEqual({ V: { template: [{ expr: 'V == null ? "1" : V' }] } });
    expect(r.bake.target.two!.args).toEqual({ V: { template: [{ expr: 'V == null ? "2" : V' }] } });
    expect(r.bake.variable).toEqual({
      V: {
        type: "string",
        default: null,
        validation: [{ condition: 'V != ""', error_message: "required variable V is missing a value: need V" }],
      },
    });
    expect(warnings(r.diagnostics)).toEqual([]);
  });

  test("an env file value read from the environment is never written: read as if the environment set nothing", () => {
    const envFile = "T1=${SECRET}\nH1=$HOME/x\nB\nC=${D:-c}\nD=\nE=${D:-e}\nLIT=${NOPE+}lit\n";
    const lib =
      "services:\n  lib:\n    build:\n      context: .\n      args:\n        T1: ${T1}\n        H1: ${H1}\n        B: ${B-unset}\n        E: ${E}\n        LIT: ${LIT}\n";
    const generated = { SECRET: "hunter2", HOME: "/home/someone", B: "bare-secret", D: "from-process" };
    const a = keep(main(""), { files: files(envFile, lib), env: generated });
    const b = keep(main(""), { files: files(envFile, lib) });
    for (const text of [a.hcl, a.json]) for (const value of Object.values(generated)) expect(text).not.toContain(value);
    expect(a.hcl).toBe(b.hcl.split(path.basename(b.cwd).toLowerCase()).join(path.basename(a.cwd).toLowerCase()));
    // D is in the file itself: E sees it (empty) unless the environment sets D, so E depends on the environment.
    expect(a.bake.variable).toEqual({
      T1: { default: "" },
      H1: { default: "/x" },
      B: { type: "string", default: null },
      E: { default: "e" },
      LIT: { default: "lit" },
    });
    expect(warnings(a.diagnostics, "variable-resolved")).toEqual([
      "the env file of the included sub/compose.yaml gives B, E, H1, T1 a value read from the environment (a ${…} or a bare name): kept as a bake default, it is read as if the environment set nothing, so that the file holds no value of the machine generating it. Use --resolve to substitute the environment's values",
    ]);
  });

  test("a requirement in an env file that only the environment can meet: no value is taken from that file", () => {
    const r = keep(main("      args:\n        V: ${V}\n"), {
      files: files(
        "V=v\nR=${SECRET:?need SECRET}\n",
        "services:\n  lib:\n    build:\n      context: .\n      args:\n        V: ${V}\n        R: ${R}\n",
      ),
      env: { SECRET: "hunter2" },
    });
    expect(r.json).not.toContain("hunter2");
    expect(r.bake.variable).toEqual({ R: { default: "" }, V: { default: "" } });
    expect(warnings(r.diagnostics, "variable-resolved")).toHaveLength(1);
  });

  test("a nested include: the outer include's env file wins, as it is read first", () => {
    const r = keep("include:\n  - path: outer/compose.yaml\n", {
      files: {
        "outer/compose.yaml": "include:\n  - path: inner/compose.yaml\n",
        "outer/.env": "V=outer\n",
        "outer/inner/compose.yaml":
          "services:\n  lib:\n    build:\n      context: .\n      args:\n        V: ${V}\n        W: ${W}\n",
        "outer/inner/.env": "V=inner\nW=inner\n",
      },
    });
    expect(r.bake.variable).toEqual({ V: { default: "outer" }, W: { default: "inner" } });
  });
});

// A string repeated across services is parsed once and each reference rendered once per writer
// (KeptVariables.template, ExpressionWriter.reference): an included project whose env file sets the variable
// has a writer of its own, and must not get the main project's rendering, nor give it its own.
test("one string in many services and in an include with its own value: each written for its project", () => {
  const build = (name: string) => `  ${name}:\n    build:\n      context: .\n      args:\n        X: "\${V:-d}"\n`;
  const r = keep(
    `include:\n  - path: sub/compose.yaml\n    env_file: sub/.env\nservices:\n${build("a")}${build("a2")}`,
    {
      files: { "sub/compose.yaml": `services:\n${build("b")}`, "sub/.env": "V=sub\n" },
    },
  );
  const x = (t: string) => (r.bake.target[t]!.args as Record<string, BakeString>).X;
  const main = { template: [{ expr: 'V == null || V == "" ? "d" : V' }] };
  expect(x("a")).toEqual(main);
  expect(x("a2")).toEqual(main);
  expect(x("b")).toEqual({ template: [{ expr: 'V == "" ? "d" : (V == null ? "sub" : V)' }] });
  expect(r.bake.variable.V).toEqual({ type: "string", default: null });
});

test("KeptVariables.template parses each distinct string once, and a bad one every time it is asked", () => {
  const kept = new KeptVariables();
  const parts = kept.template("a${V:-${W}}b");
  expect(kept.template("a${V:-${W}}b")).toBe(parts);
  expect(kept.template("a${V:-${W}}c")).not.toBe(parts);
  expect(parts).toEqual([
    { kind: "text", text: "a" },
    expect.objectContaining({ kind: "var", name: "V", op: ":-", arg: [expect.objectContaining({ name: "W" })] }),
    { kind: "text", text: "b" },
  ]);
  for (let i = 0; i < 2; i++) expect(() => kept.template("${V")).toThrow(InterpolationSyntaxError);
});

test("a bare reference to the same parts in the same include is one token; anything else a token of its own", () => {
  const kept = new KeptVariables();
  const part = kept.template("${V:-d}")[0] as Extract<TemplatePart, { kind: "var" }>;
  const token = kept.token({ part });
  expect(kept.sharedParts.has(part)).toBe(false);
  expect(kept.token({ part })).toBe(token);
  // Written twice: the expression writer renders it once (ExpressionWriter.reference); others are not remembered.
  expect(kept.sharedParts.has(part)).toBe(true);
  const scope = { values: new Map([["V", "x"]]), source: "sub/compose.yaml" };
  const scoped = kept.withScope(scope, () => kept.token({ part }));
  expect(scoped).not.toBe(token);
  expect(kept.withScope(scope, () => kept.token({ part }))).toBe(scoped);
  expect(kept.split(scoped)).toEqual([{ part, scope }]);
  // A reference with more to it (a value-less arg) is never merged with another.
  expect(kept.token({ part, valueless: true })).not.toBe(kept.token({ part, valueless: true }));
  // The same text parsed apart (another string) is other parts: other tokens, as before.
  expect(kept.token({ part: kept.template("a${V:-d}")[1] as typeof part })).not.toBe(token);
});
