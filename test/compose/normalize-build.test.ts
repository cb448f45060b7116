import { CompileError, SourceFile, type SourcePos } from "../../src/diagnostics";
import type { ComposeBuild, ComposeSecret } from "../../src/compose/model";
import {
  checkDockerfileConflict,
  endsInGoSpace,
  normalizeBuild,
  type NormalizeContext,
} from "../../src/compose/normalize-build";
import { normalizeSecrets } from "../../src/compose/normalize-secrets";
import { validateComposeModel } from "../../src/compose/schema/validate";
import type { PlainMap } from "../../src/compose/yaml";

const WD = "/proj";
const HOME = "/home/me";
const FILE = new SourceFile("/proj/compose.yaml", "");

interface Options {
  /** Project environment for value-less args. */
  readonly env?: Record<string, string>;
  /** Paths that get no position, to exercise the fallback to the nearest ancestor. */
  readonly omit?: readonly string[];
  /** Other errors expected besides the one checked in full (every problem is listed). */
  readonly also?: readonly string[];
}

/** A position for every path of the raw value (as the YAML loader would record them), each with its own offset. */
function positionsFor(root: string, value: unknown, omit: readonly string[] = []): Map<string, SourcePos> {
  const table = new Map<string, SourcePos>();
  let offset = 0;
  const walk = (p: string, v: unknown): void => {
    if (!omit.includes(p)) table.set(p, { file: FILE, offset: offset++ });
    if (Array.isArray(v)) v.forEach((item, i) => walk(`${p}.${i}`, item));
    else if (typeof v === "object" && v !== null) for (const [k, item] of Object.entries(v)) walk(`${p}.${k}`, item);
  };
  walk(root, value);
  return table;
}

function context(positions: Map<string, SourcePos>, env: Record<string, string> = {}): NormalizeContext {
  return { workingDir: WD, home: HOME, lookupEnv: (name) => env[name], positions };
}

function build(raw: unknown, opts: Options = {}): ComposeBuild {
  return normalizeBuild(raw, "services.web", context(positionsFor("services.web.build", raw, opts.omit), opts.env));
}

/** Checks only the keys given in `expected`, each one in full. */
function expectBuild(raw: unknown, opts: Options, expected: Partial<ComposeBuild>): void {
  const result = build(raw, opts);
  for (const key of Object.keys(expected) as Array<keyof ComposeBuild>) {
    expect({ [key]: result[key] }).toEqual({ [key]: expected[key] });
  }
}

/** Expects one error with this message, placed at the position recorded for `at` (when given), and the `also` ones. */
function expectError(
  run: (positions: Map<string, SourcePos>) => unknown,
  root: string,
  raw: unknown,
  message: string,
  at?: string,
  omit?: readonly string[],
  also: readonly string[] = [],
): void {
  const positions = positionsFor(root, raw, omit);
  let error: unknown;
  try {
    run(positions);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CompileError);
  const all = (error as CompileError).diagnostics;
  expect(all.map((d) => d.message).sort()).toEqual([message, ...also].sort());
  const diagnostics = all.filter((d) => d.message === message);
  expect(diagnostics[0]!.severity).toBe("error");
  if (at !== undefined) {
    expect(positions.get(at)).toBeDefined();
    expect(diagnostics[0]!.pos).toBe(positions.get(at));
  }
}

/** The loader checks the whole model against the schema (schema/validate.ts) before a build is normalised. */
function validateThenNormalize(raw: unknown, p: Map<string, SourcePos>, env?: Record<string, string>): ComposeBuild {
  validateComposeModel({ services: { web: { build: raw } } } as unknown as PlainMap, p);
  return normalizeBuild(raw, "services.web", context(p, env));
}

/** compose-go's decoding error for a build key (mapstructure's wording, on one line). */
function decoded(key: string, message: string): string {
  return `decoding failed due to the following error(s): 'services[web].build.${key}' ${message}`;
}

function expectBuildError(raw: unknown, message: string, at?: string, opts: Options = {}): void {
  expectError(
    (p) => validateThenNormalize(raw, p, opts.env),
    "services.web.build",
    raw,
    message,
    at,
    opts.omit,
    opts.also,
  );
}

function expectSecrets(raw: unknown, expected: Record<string, ComposeSecret>): void {
  expect(normalizeSecrets(raw, context(positionsFor("secrets", raw)))).toEqual(expected);
}

function expectSecretsError(raw: unknown, message: string, at?: string): void {
  expectError(
    (p) => {
      validateComposeModel({ secrets: raw } as unknown as PlainMap, p);
      return normalizeSecrets(raw, context(p));
    },
    "secrets",
    raw,
    message,
    at,
  );
}

describe("build: short form, defaults and unknown keys", () => {
  test("a string is the context", () => expectBuild("dir", {}, { context: "/proj/dir", dockerfile: "Dockerfile" }));
  test("`.` is the project folder", () => expectBuild(".", {}, { context: "/proj" }));
  test("a remote short form is kept", () =>
    expectBuild("https://github.com/o/r.git#v1", {}, { context: "https://github.com/o/r.git#v1" }));
  test("an empty mapping gets every default", () => {
    expect(build({})).toEqual({
      context: "/proj",
      dockerfile: "Dockerfile",
      dockerfile_inline: undefined,
      args: {},
      ssh: [],
      labels: {},
      cache_from: [],
      cache_to: [],
      no_cache: undefined,
      no_cache_filter: [],
      additional_contexts: {},
      network: undefined,
      provenance: undefined,
      sbom: undefined,
      pull: undefined,
      target: undefined,
      shm_size: undefined,
      extra_hosts: {},
      isolation: undefined,
      privileged: undefined,
      secrets: [],
      tags: [],
      ulimits: {},
      platforms: [],
      entitlements: [],
      extensions: {},
    });
  });
  test("a number is rejected by the schema", () =>
    expectBuildError(5, "services.web.build must be a string", "services.web.build"));
  test("null is rejected by the schema", () =>
    expectBuildError(null, "services.web.build must be a string", "services.web.build"));
  test("a list is rejected by the schema", () =>
    expectBuildError(["."], "services.web.build must be a string", "services.web.build"));
  test("an unknown key", () =>
    expectBuildError(
      { foo: 1 },
      "services.web.build additional properties 'foo' not allowed",
      "services.web.build.foo",
    ));
  test("several unknown keys, in written order", () =>
    expectBuildError(
      { foo: 1, context: ".", bar: 2 },
      "services.web.build additional properties 'foo', 'bar' not allowed",
      "services.web.build.foo",
    ));
  // compose-go reports only the first of these (the type error wins the tie); we list every problem.
  test("a type error in a known key and an unknown key at the same depth are both reported", () =>
    expectBuildError({ target: 1, foo: 1 }, "services.web.build.target must be a string", "services.web.build.target", {
      also: ["services.web.build additional properties 'foo' not allowed"],
    }));
  // compose-go reports only the deeper one.
  test("a deeper error and an unknown key are both reported", () =>
    expectBuildError(
      { foo: 1, args: { A: [1] } },
      "services.web.build.args.A must be a boolean, null, number or string",
      "services.web.build.args.A",
      {
        also: ["services.web.build additional properties 'foo' not allowed"],
      },
    ));
  test("x-* keys are kept raw as extensions", () =>
    expectBuild(
      { "x-bake": { platforms: ["a"], "no-cache": true }, "x-n": null },
      {},
      { extensions: { "x-bake": { platforms: ["a"], "no-cache": true }, "x-n": null } },
    ));
});

describe("build: context", () => {
  test("relative", () => expectBuild({ context: "sub/dir" }, {}, { context: "/proj/sub/dir" }));
  test("relative with ..", () => expectBuild({ context: "../other" }, {}, { context: "/other" }));
  test("a trailing slash is cleaned", () => expectBuild({ context: "./a/" }, {}, { context: "/proj/a" }));
  test("absolute is kept as written", () => expectBuild({ context: "/abs/x/../y" }, {}, { context: "/abs/x/../y" }));
  test("~ is the home folder", () => expectBuild({ context: "~" }, {}, { context: "/home/me" }));
  test("~/x", () => expectBuild({ context: "~/src" }, {}, { context: "/home/me/src" }));
  test("~user/x is $HOME/user/x", () => expectBuild({ context: "~user/x" }, {}, { context: "/home/me/user/x" }));
  test("empty is the project folder", () => expectBuild({ context: "" }, {}, { context: "/proj" }));
  test.each([
    "https://github.com/o/r.git#main:sub",
    "http://example.com/ctx.tar.gz",
    "git://example.com/r.git",
    "ssh://git@example.com/r.git",
    "github.com/o/r",
    "git@github.com:o/r.git",
    "docker-image://alpine:3",
    "oci-layout:///layouts/x",
  ])("remote %s is kept", (ctx) => expectBuild({ context: ctx }, {}, { context: ctx }));
  test("a number is rejected", () =>
    expectBuildError({ context: 1 }, "services.web.build.context must be a string", "services.web.build.context"));
});

describe("build: dockerfile", () => {
  test("kept as written, never resolved", () =>
    expectBuild({ dockerfile: "../Dockerfile.dev" }, {}, { dockerfile: "../Dockerfile.dev" }));
  test("empty means the default", () => expectBuild({ dockerfile: "" }, {}, { dockerfile: "Dockerfile" }));
  test("dockerfile_inline alone: no default dockerfile", () =>
    expectBuild(
      { dockerfile_inline: "FROM scratch" },
      {},
      { dockerfile: undefined, dockerfile_inline: "FROM scratch" },
    ));
  test("an empty dockerfile_inline counts as unset", () =>
    expectBuild({ dockerfile_inline: "" }, {}, { dockerfile: "Dockerfile", dockerfile_inline: undefined }));
  test("both are kept for the consistency check", () =>
    expectBuild(
      { dockerfile: "D", dockerfile_inline: "FROM x" },
      {},
      { dockerfile: "D", dockerfile_inline: "FROM x" },
    ));
  test("the consistency check rejects both (compose-go's wording, typo included)", () => {
    const raw = { dockerfile: "D", dockerfile_inline: "FROM x" };
    expectError(
      (p) => checkDockerfileConflict(normalizeBuild(raw, "services.web", context(p)), "web", p),
      "services.web.build",
      raw,
      'service "web" declares mutualy exclusive dockerfile and dockerfile_inline',
      "services.web.build.dockerfile_inline",
    );
  });
  test("the consistency check accepts one of them", () => {
    expect(() => checkDockerfileConflict(build({ dockerfile_inline: "FROM x" }), "web", new Map())).not.toThrow();
  });
  test("dockerfile_inline must be a string", () =>
    expectBuildError(
      { dockerfile_inline: ["FROM x"] },
      "services.web.build.dockerfile_inline must be a string",
      "services.web.build.dockerfile_inline",
    ));
});

describe("build: args", () => {
  test("mapping values become strings", () =>
    expectBuild(
      { args: { A: "1", B: 2, C: true, D: false, E: 1.5, F: -3 } },
      {},
      { args: { A: "1", B: "2", C: "true", D: "false", E: "1.5", F: "-3" } },
    ));
  test("floats print like Go's %v", () =>
    expectBuild(
      { args: { A: 1e-7, B: 1234567.5, C: 0.0001, D: 123456.5 } },
      {},
      { args: { A: "1e-07", B: "1.2345675e+06", C: "0.0001", D: "123456.5" } },
    ));
  test("large integers print in full", () => expectBuild({ args: { A: 10000000 } }, {}, { args: { A: "10000000" } }));
  test("a null value is looked up in the project environment", () =>
    expectBuild({ args: { A: null } }, { env: { A: "env" } }, { args: { A: "env" } }));
  test("a null value with no variable is dropped", () =>
    expectBuild({ args: { A: null, B: "b" } }, {}, { args: { B: "b" } }));
  test("list: K=V, value-less K", () =>
    expectBuild({ args: ["A=1", "B"] }, { env: { B: "x" } }, { args: { A: "1", B: "x" } }));
  test("list: value-less K without variable is dropped", () =>
    expectBuild({ args: ["A=1", "B"] }, {}, { args: { A: "1" } }));
  test("list: split at the first =", () => expectBuild({ args: ["A=b=c"] }, {}, { args: { A: "b=c" } }));
  test("list: K= is an empty string, not a lookup", () =>
    expectBuild({ args: ["A="] }, { env: { A: "env" } }, { args: { A: "" } }));
  test("an empty environment value is kept", () =>
    expectBuild({ args: ["A"] }, { env: { A: "" } }, { args: { A: "" } }));
  test("list: a repeated key replaces the earlier one in place", () => {
    const { args } = build({ args: ["A=1", "B=2", "A=3"] });
    expect(Object.entries(args)).toEqual([
      ["A", "3"],
      ["B", "2"],
    ]);
  });
  test("mapping keeps the written order", () =>
    expect(Object.keys(build({ args: { Z: 1, A: 2, M: 3 } }).args)).toEqual(["Z", "A", "M"]));
  test("list: a key with a trailing space is an error", () =>
    expectBuildError(
      { args: ["A=1", "B =2"] },
      "environment variable B  is declared with a trailing space",
      "services.web.build.args.1",
    ));
  test("list: a value-less key with a trailing tab is an error", () =>
    expectBuildError(
      { args: ["B\t"] },
      "environment variable B\t is declared with a trailing space",
      "services.web.build.args.0",
    ));
  test("list: a key whose last UTF-8 byte Go reads as a space (0x85, 0xA0) is an error, as docker compose refuses it", () => {
    expectBuildError(
      { args: ["\u00c5=1"] },
      "environment variable \u00c5 is declared with a trailing space",
      "services.web.build.args.0",
    );
    expectBuildError(
      { args: ["x\u2005"] },
      "environment variable x\u2005 is declared with a trailing space",
      "services.web.build.args.0",
    );
    expectBuild({ args: ["\u00e9=1", "\u{1F600}=2"] }, {}, { args: { "\u00e9": "1", "\u{1F600}": "2" } });
  });
  test("mapping keys are not checked for trailing spaces", () =>
    expectBuild({ args: { "A ": 1 } }, {}, { args: { "A ": "1" } }));
  test("a number is not a mapping", () =>
    expectBuildError({ args: 5 }, "services.web.build.args must be a mapping", "services.web.build.args"));
  test("identical list items are de-duplicated before the schema sees them (no uniqueItems error)", () =>
    expectBuild(
      { args: ["A=1", "B", "A=1"], labels: ["l=1", "l=1"], additional_contexts: ["c=./c", "c=./c"] },
      { env: { B: "b" } },
      { args: { A: "1", B: "b" }, labels: { l: "1" }, additional_contexts: { c: "/proj/c" } },
    ));
  test("a list value in the mapping", () =>
    expectBuildError(
      { args: { A: [1] } },
      "services.web.build.args.A must be a boolean, null, number or string",
      "services.web.build.args.A",
    ));
  test("a number in the list", () =>
    expectBuildError({ args: ["A", 1] }, "services.web.build.args.1 must be a string", "services.web.build.args.1"));
  test("an empty key", () =>
    expectBuildError(
      { args: { "": "x" } },
      "services.web.build.args additional properties '' not allowed",
      "services.web.build.args.",
    ));
  test("__proto__ is an ordinary key", () => expect(build({ args: ["__proto__=x"] }).args["__proto__"]).toBe("x"));
});

describe("build: labels", () => {
  test("mapping, null is empty", () =>
    expectBuild({ labels: { a: "1", b: null, c: 2, d: true } }, {}, { labels: { a: "1", b: "", c: "2", d: "true" } }));
  test("list, bare key is empty", () =>
    expectBuild({ labels: ["a=1", "b", "c=x=y"] }, {}, { labels: { a: "1", b: "", c: "x=y" } }));
  test("list: a repeated key replaces the earlier one", () =>
    expectBuild({ labels: ["a=1", "a=2"] }, {}, { labels: { a: "2" } }));
  test("a string is not a mapping", () =>
    expectBuildError({ labels: "a=1" }, "services.web.build.labels must be a mapping", "services.web.build.labels"));
});

describe("build: additional_contexts", () => {
  test("mapping: local paths resolved, references kept", () =>
    expectBuild(
      {
        additional_contexts: {
          a: "./base",
          b: "service:base",
          c: "docker-image://alpine",
          d: "oci-layout:///x",
          e: "https://github.com/o/r.git",
          f: "~/ctx",
          g: "/abs",
        },
      },
      {},
      {
        additional_contexts: {
          a: "/proj/base",
          b: "service:base",
          c: "docker-image://alpine",
          d: "oci-layout:///x",
          e: "https://github.com/o/r.git",
          f: "/home/me/ctx",
          g: "/abs",
        },
      },
    ));
  test("list form", () =>
    expectBuild(
      { additional_contexts: ["a=./x", "b=service:y"] },
      {},
      { additional_contexts: { a: "/proj/x", b: "service:y" } },
    ));
  test("target: is not special to compose-go: it is a local path", () =>
    expectBuild({ additional_contexts: { a: "target:foo" } }, {}, { additional_contexts: { a: "/proj/target:foo" } }));
  test("an item without =", () =>
    expectBuildError(
      { additional_contexts: ["a=.", "foo"] },
      "services.web.build.additional_contexts: invalid value foo, expected key=value",
      "services.web.build.additional_contexts.1",
    ));
  test("a number is not a mapping", () =>
    expectBuildError(
      { additional_contexts: 1 },
      "services.web.build.additional_contexts must be a mapping",
      "services.web.build.additional_contexts",
    ));
});

describe("build: ssh", () => {
  test("list: default and id=path", () =>
    expectBuild(
      { ssh: ["default", "key=./id_rsa"] },
      {},
      { ssh: [{ id: "default" }, { id: "key", path: "/proj/id_rsa" }] },
    ));
  test("list: ~ and absolute paths", () =>
    expectBuild(
      { ssh: ["a=~/.ssh/id", "b=/abs/k", "c=C:\\keys\\id"] },
      {},
      {
        ssh: [
          { id: "a", path: "/home/me/.ssh/id" },
          { id: "b", path: "/abs/k" },
          { id: "c", path: "C:\\keys\\id" },
        ],
      },
    ));
  test("list: default with a path", () =>
    expectBuild({ ssh: ["default=/run/agent.sock"] }, {}, { ssh: [{ id: "default", path: "/run/agent.sock" }] }));
  test("mapping: null is the agent, strings are paths", () =>
    expectBuild(
      { ssh: { default: null, k: "keys/k" } },
      {},
      { ssh: [{ id: "default" }, { id: "k", path: "/proj/keys/k" }] },
    ));
  test("written order is kept (the converter sorts)", () =>
    expect(build({ ssh: ["b=/1", "a=/2"] }).ssh.map((s) => s.id)).toEqual(["b", "a"]));
  test("a bare id other than default", () =>
    expectBuildError({ ssh: ["default", "foo"] }, 'invalid ssh key "foo"', "services.web.build.ssh.1"));
  test("null", () =>
    expectBuildError({ ssh: null }, "services.web.build.ssh must be a mapping", "services.web.build.ssh"));
  test("an exact duplicate fails uniqueItems, reported as the mapping branch", () =>
    expectBuildError(
      { ssh: ["default", "default"] },
      "services.web.build.ssh must be a mapping",
      "services.web.build.ssh",
    ));
});

describe("build: secrets", () => {
  test("short and long syntax", () =>
    expectBuild(
      { secrets: ["a", { source: "b", target: "t", uid: "1", gid: "2", mode: 0o400 }] },
      {},
      {
        secrets: [{ source: "a" }, { source: "b", target: "t", uid: "1", gid: "2", mode: 256 }],
      },
    ));
  test("no default target, mode as a string kept, duplicates kept", () =>
    expectBuild(
      { secrets: [{ source: "a", mode: "0400" }, "a"] },
      {},
      { secrets: [{ source: "a", mode: "0400" }, { source: "a" }] },
    ));
  test("x-* keys in an item are allowed", () =>
    expectBuild({ secrets: [{ source: "a", "x-y": 1 }] }, {}, { secrets: [{ source: "a" }] }));
  test("a number item", () =>
    expectBuildError(
      { secrets: [1] },
      "services.web.build.secrets.0 must be a string",
      "services.web.build.secrets.0",
    ));
  test("an unknown key in an item", () =>
    expectBuildError(
      { secrets: [{ source: "a", foo: 1 }] },
      "services.web.build.secrets.0 additional properties 'foo' not allowed",
      "services.web.build.secrets.0.foo",
    ));
  test("uid must be a string", () =>
    expectBuildError(
      { secrets: [{ source: "a", uid: 1 }] },
      "services.web.build.secrets.0.uid must be a string",
      "services.web.build.secrets.0.uid",
    ));
  test("mode must be a number or a string", () =>
    expectBuildError(
      { secrets: [{ source: "a", mode: true }] },
      "services.web.build.secrets.0.mode must be a number or string",
      "services.web.build.secrets.0.mode",
    ));
  test("not a list", () =>
    expectBuildError({ secrets: "a" }, "services.web.build.secrets must be a array", "services.web.build.secrets"));
});

describe("build: lists of strings", () => {
  test("cache_from, cache_to, platforms, entitlements kept as written", () =>
    expectBuild(
      {
        cache_from: ["a", "type=local,src=x", "a"],
        cache_to: ["type=inline"],
        platforms: ["linux/amd64", "linux/amd64"],
        entitlements: ["network.host"],
      },
      {},
      {
        cache_from: ["a", "type=local,src=x", "a"],
        cache_to: ["type=inline"],
        platforms: ["linux/amd64", "linux/amd64"],
        entitlements: ["network.host"],
      },
    ));
  test("cache_from must be a list", () =>
    expectBuildError(
      { cache_from: "a" },
      "services.web.build.cache_from must be a array",
      "services.web.build.cache_from",
    ));
  test("an item must be a string", () =>
    expectBuildError(
      { platforms: ["a", 1] },
      "services.web.build.platforms.1 must be a string",
      "services.web.build.platforms.1",
    ));
  test("tags are de-duplicated", () => expectBuild({ tags: ["a", "b", "a"] }, {}, { tags: ["a", "b"] }));
  test("a tag must be a string", () =>
    expectBuildError({ tags: [1] }, "services.web.build.tags.0 must be a string", "services.web.build.tags.0"));
  test("entitlements must be a list", () =>
    expectBuildError(
      { entitlements: {} },
      "services.web.build.entitlements must be a array",
      "services.web.build.entitlements",
    ));
  test("no_cache_filter: a string", () =>
    expectBuild({ no_cache_filter: "stage" }, {}, { no_cache_filter: ["stage"] }));
  test("no_cache_filter: a list", () =>
    expectBuild({ no_cache_filter: ["a", "b"] }, {}, { no_cache_filter: ["a", "b"] }));
  test("no_cache_filter: duplicates fail uniqueItems, reported as the string branch", () =>
    expectBuildError(
      { no_cache_filter: ["a", "a"] },
      "services.web.build.no_cache_filter must be a string",
      "services.web.build.no_cache_filter",
    ));
  test("no_cache_filter: a number", () =>
    expectBuildError({ no_cache_filter: 1 }, "services.web.build.no_cache_filter must be a string"));
});

describe("build: booleans", () => {
  test("real booleans", () =>
    expectBuild(
      { no_cache: true, pull: false, privileged: true },
      {},
      { no_cache: true, pull: false, privileged: true },
    ));
  test.each([
    ["true", true],
    ["True", true],
    ["yes", true],
    ["Y", true],
    ["on", true],
    ["false", false],
    ["NO", false],
    ["n", false],
    ["off", false],
  ])("string %s", (value, expected) =>
    expectBuild(
      { no_cache: value, pull: value, privileged: value },
      {},
      { no_cache: expected, pull: expected, privileged: expected },
    ),
  );
  test("another string", () =>
    expectBuildError(
      { privileged: "maybe" },
      decoded("privileged", "invalid boolean: maybe"),
      "services.web.build.privileged",
    ));
  test("an empty string", () =>
    expectBuildError({ pull: "" }, decoded("pull", "invalid boolean: "), "services.web.build.pull"));
  test("a number", () =>
    expectBuildError(
      { no_cache: 1 },
      "services.web.build.no_cache must be a boolean or string",
      "services.web.build.no_cache",
    ));
});

describe("build: provenance and sbom", () => {
  test("booleans become strings", () =>
    expectBuild({ provenance: true, sbom: false }, {}, { provenance: "true", sbom: "false" }));
  test("strings are kept", () =>
    expectBuild({ provenance: "mode=max", sbom: "generator=x" }, {}, { provenance: "mode=max", sbom: "generator=x" }));
  test("a number", () =>
    expectBuildError({ sbom: 1 }, "services.web.build.sbom must be a boolean or string", "services.web.build.sbom"));
});

describe("build: shm_size", () => {
  test.each<[number | string, number]>([
    [1024, 1024],
    ["2gb", 2147483648],
    ["2GB", 2147483648],
    ["128m", 134217728],
    ["1.5g", 1610612736],
    ["32", 32],
    ["32b", 32],
    ["32.3", 32],
    ["10KiB", 10240],
    ["1 k", 1024],
    ["0.3MB", 314572],
    ["1e3", 1000],
    ["1P", 1024 ** 5],
    ["+5", 5],
  ])("%s", (value, bytes) => expectBuild({ shm_size: value }, {}, { shm_size: bytes }));
  test("0 is unset", () => expectBuild({ shm_size: 0 }, {}, { shm_size: undefined }));
  test("-0 parses as 0, which is unset", () => expectBuild({ shm_size: "-0" }, {}, { shm_size: undefined }));
  test.each([
    ["hello", "invalid size: 'hello'"],
    ["", "invalid size: ''"],
    ["-32", "invalid size: '-32'"],
    ["32bm", "invalid suffix: 'bm'"],
    ["10x", "invalid suffix: 'x'"],
    ["10kbb", "invalid suffix: 'kbb'"],
    ["10kibb", "invalid suffix: 'kibb'"],
    [" 32 ", 'strconv.ParseFloat: parsing " 32": invalid syntax'],
    ["1.2.3g", 'strconv.ParseFloat: parsing "1.2.3": invalid syntax'],
    ["32m b", 'strconv.ParseFloat: parsing "32m": invalid syntax'],
    ["1e400", 'strconv.ParseFloat: parsing "1e400": value out of range'],
  ])("%j is invalid", (value, message) =>
    expectBuildError({ shm_size: value }, decoded("shm_size", message), "services.web.build.shm_size"),
  );
  test("a float is not an integer", () =>
    expectBuildError(
      { shm_size: 1.5 },
      "services.web.build.shm_size must be a integer or string",
      "services.web.build.shm_size",
    ));
});

describe("build: ulimits", () => {
  test("single value and soft/hard", () =>
    expectBuild(
      { ulimits: { nofile: 1024, nproc: { soft: 10, hard: 20 } } },
      {},
      { ulimits: { nofile: { single: 1024 }, nproc: { soft: 10, hard: 20 } } },
    ));
  test("soft above hard is not checked by compose-go", () =>
    expectBuild({ ulimits: { nproc: { soft: 30, hard: 20 } } }, {}, { ulimits: { nproc: { soft: 30, hard: 20 } } }));
  test("a string passes the schema but build.ulimits are never cast", () =>
    expectBuildError(
      { ulimits: { nofile: "1024" } },
      "services.web.build.ulimits.nofile: invalid type string for external",
      "services.web.build.ulimits.nofile",
    ));
  test("soft without hard", () =>
    expectBuildError(
      { ulimits: { nofile: { soft: 1 } } },
      "services.web.build.ulimits.nofile must be a integer or string",
      "services.web.build.ulimits.nofile",
    ));
  test("an unknown key next to soft/hard", () =>
    expectBuildError(
      { ulimits: { nofile: { soft: 1, hard: 2, foo: 3 } } },
      "services.web.build.ulimits.nofile additional properties 'foo' not allowed",
    ));
  test("a float", () =>
    expectBuildError({ ulimits: { nofile: 1.5 } }, "services.web.build.ulimits.nofile must be a integer or string"));
  test("a name outside ^[a-z]+$ is not checked by the schema", () =>
    expectBuild({ ulimits: { NOFILE: 5 } }, {}, { ulimits: { NOFILE: { single: 5 } } }));
  test("but its value still goes through the transform", () =>
    expectBuildError(
      { ulimits: { NOFILE: true } },
      "services.web.build.ulimits.NOFILE: invalid type bool for external",
      "services.web.build.ulimits.NOFILE",
    ));
  test("not a mapping", () =>
    expectBuildError({ ulimits: [] }, "services.web.build.ulimits must be a mapping", "services.web.build.ulimits"));
});

describe("build: extra_hosts", () => {
  test("list: = and : separators, IPv6, brackets, several IPs", () =>
    expectBuild(
      { extra_hosts: ["a=1.2.3.4", "b:5.6.7.8", "c=::1", "d:::1", "e=[::2]", "f=1.1.1.1,2.2.2.2"] },
      {},
      {
        extra_hosts: { a: ["1.2.3.4"], b: ["5.6.7.8"], c: ["::1"], d: ["::1"], e: ["::2"], f: ["1.1.1.1", "2.2.2.2"] },
      },
    ));
  test("list: the same host twice keeps both IPs", () =>
    expectBuild({ extra_hosts: ["a=1.1.1.1", "a=2.2.2.2"] }, {}, { extra_hosts: { a: ["1.1.1.1", "2.2.2.2"] } }));
  test("mapping: a string or a list", () =>
    expectBuild(
      { extra_hosts: { a: "1.2.3.4", b: ["1.1.1.1", "[::1]"] } },
      {},
      { extra_hosts: { a: ["1.2.3.4"], b: ["1.1.1.1", "::1"] } },
    ));
  test("mapping values are not split on commas", () =>
    expectBuild({ extra_hosts: { a: "1.1.1.1,2.2.2.2" } }, {}, { extra_hosts: { a: ["1.1.1.1,2.2.2.2"] } }));
  test("missing IP", () =>
    expectBuildError(
      { extra_hosts: ["a=1.1.1.1", "foo"] },
      decoded("extra_hosts", "invalid additional host, missing IP: foo"),
      "services.web.build.extra_hosts.1",
    ));
  test("empty host name", () =>
    expectBuildError(
      { extra_hosts: ["=1.2.3.4"] },
      decoded("extra_hosts", "bad host name ''"),
      "services.web.build.extra_hosts.0",
    ));
  test("a bad host name is reported at the item that wrote it (was: at the list)", () =>
    expectBuildError(
      { extra_hosts: ["a=1.1.1.1", "=1.2.3.4"] },
      decoded("extra_hosts", "bad host name ''"),
      "services.web.build.extra_hosts.1",
    ));
  test("host name with a separator", () =>
    expectBuildError(
      { extra_hosts: { "a:b": "1.1.1.1" } },
      decoded("extra_hosts", "bad host name 'a:b'"),
      "services.web.build.extra_hosts.a:b",
    ));
  test("list duplicates fail uniqueItems, reported as the mapping branch", () =>
    expectBuildError(
      { extra_hosts: ["a=1", "a=1"] },
      "services.web.build.extra_hosts must be a mapping",
      "services.web.build.extra_hosts",
    ));
  test("a number in the mapping", () =>
    expectBuildError(
      { extra_hosts: { a: 1 } },
      "services.web.build.extra_hosts.a must be a string",
      "services.web.build.extra_hosts.a",
    ));
  test("a number in a mapping list", () =>
    expectBuildError({ extra_hosts: { a: ["x", 1] } }, "services.web.build.extra_hosts.a.1 must be a string"));
});

describe("build: plain strings", () => {
  test("network, target, isolation", () =>
    expectBuild(
      { network: "host", target: "prod", isolation: "hyperv" },
      {},
      { network: "host", target: "prod", isolation: "hyperv" },
    ));
  test("empty strings are unset", () =>
    expectBuild(
      { network: "", target: "", isolation: "" },
      {},
      { network: undefined, target: undefined, isolation: undefined },
    ));
  test("target: 1", () =>
    expectBuildError({ target: 1 }, "services.web.build.target must be a string", "services.web.build.target"));
  test("network: true", () =>
    expectBuildError({ network: true }, "services.web.build.network must be a string", "services.web.build.network"));
  test("isolation: null", () =>
    expectBuildError(
      { isolation: null },
      "services.web.build.isolation must be a string",
      "services.web.build.isolation",
    ));
});

describe("build: error positions", () => {
  test("a path without its own position falls back to the nearest ancestor", () =>
    expectBuildError({ args: ["A", 1] }, "services.web.build.args.1 must be a string", "services.web.build.args", {
      omit: ["services.web.build.args.1"],
    }));
  test("two levels up", () =>
    expectBuildError(
      { secrets: [{ source: "a", uid: 1 }] },
      "services.web.build.secrets.0.uid must be a string",
      "services.web.build.secrets",
      {
        omit: ["services.web.build.secrets.0.uid", "services.web.build.secrets.0"],
      },
    ));
  test("the short form reports at build", () =>
    expectBuildError({ context: 1 }, "services.web.build.context must be a string", "services.web.build", {
      omit: ["services.web.build.context"],
    }));
});

describe("top-level secrets", () => {
  test("undefined and null mean none", () => {
    expectSecrets(undefined, {});
    expectSecrets(null, {});
  });
  test("file paths resolved like ssh paths", () =>
    expectSecrets(
      { a: { file: "./a.txt" }, b: { file: "~/b" }, c: { file: "/abs/c" }, d: { file: "C:\\s\\d" } },
      {
        a: { name: "a", file: "/proj/a.txt", environment: undefined, external: undefined },
        b: { name: "b", file: "/home/me/b", environment: undefined, external: undefined },
        c: { name: "c", file: "/abs/c", environment: undefined, external: undefined },
        d: { name: "d", file: "C:\\s\\d", environment: undefined, external: undefined },
      },
    ));
  test("environment names the variable", () =>
    expectSecrets(
      { s: { environment: "TOKEN" } },
      { s: { name: "s", file: undefined, environment: "TOKEN", external: undefined } },
    ));
  test("explicit name", () =>
    expectSecrets(
      { s: { name: "real", file: "x" } },
      { s: { name: "real", file: "/proj/x", environment: undefined, external: undefined } },
    ));
  test("external: true, and a boolean string", () =>
    expectSecrets(
      { a: { external: true }, b: { external: "yes" } },
      {
        a: { name: "a", file: undefined, environment: undefined, external: true },
        b: { name: "b", file: undefined, environment: undefined, external: true },
      },
    ));
  test("external: {name} is external with that name", () =>
    expectSecrets(
      { s: { external: { name: "shared" } } },
      { s: { name: "shared", file: undefined, environment: undefined, external: true } },
    ));
  test("external: false with neither file nor environment passes (the key is present)", () =>
    expectSecrets(
      { s: { external: false } },
      { s: { name: "s", file: undefined, environment: undefined, external: false } },
    ));
  test("a driver needs neither file nor environment", () =>
    expectSecrets(
      { s: { driver: "vault" } },
      { s: { name: "s", file: undefined, environment: undefined, external: undefined } },
    ));
  test("file and environment", () =>
    expectSecretsError(
      { s: { file: "a", environment: "B" } },
      "secrets.s: file|environment attributes are mutually exclusive",
      "secrets.s",
    ));
  test("neither file nor environment", () =>
    expectSecretsError({ s: { labels: { a: "b" } } }, "secrets.s: one of file|environment must be set", "secrets.s"));
  test("an unknown key", () =>
    expectSecretsError(
      { s: { file: "a", foo: 1 } },
      "secrets.s additional properties 'foo' not allowed",
      "secrets.s.foo",
    ));
  test("a name the schema does not allow", () =>
    expectSecretsError({ "a b": { file: "a" } }, "secrets additional properties 'a b' not allowed", "secrets.a b"));
  test("a null definition", () => expectSecretsError({ s: null }, "secrets.s must be a mapping", "secrets.s"));
  test("file must be a string", () =>
    expectSecretsError({ s: { file: 1 } }, "secrets.s.file must be a string", "secrets.s.file"));
  test("external must be a boolean, string or mapping", () =>
    expectSecretsError(
      { s: { external: 1 } },
      "secrets.s.external must be a boolean, mapping or string",
      "secrets.s.external",
    ));
  test("external: an invalid boolean string", () =>
    expectSecretsError({ s: { external: "maybe" } }, "invalid boolean: maybe", "secrets.s.external"));
  test("name and external.name conflict", () =>
    expectSecretsError(
      { s: { name: "a", external: { name: "b" } } },
      "secrets.s: name and external.name conflict; only use name",
      "secrets.s.external.name",
    ));
  test("not a mapping", () => expectSecretsError("x", "secrets must be a mapping", "secrets"));
});

describe("endsInGoSpace (types.MappingWithEquals: unicode.IsSpace of the key's last byte)", () => {
  test.each([
    ["A ", true],
    ["A\t", true],
    ["A\r", true],
    ["A\u000b", true],
    ["A\u0085", true],
    ["A\u00a0", true],
    ["\u00c5", true], // C3 85
    ["\u00e0", true], // C3 A0
    ["\u2005", true], // E2 80 85
    ["\u{10005}", true], // F0 90 80 85
    ["", false],
    ["A", false],
    ["a+", false],
    ["\u00e9", false],
    ["\u{1F600}", false],
    ["\u3000", false], // a Unicode space whose last byte is 0x80: Go's check misses it, and so do we
  ])("%j → %s", (key, expected) => expect(endsInGoSpace(key)).toBe(expected));
});
