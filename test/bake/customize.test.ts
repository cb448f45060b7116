/** Bake customizations from compose2bake.toml (src/bake/customize.ts) on hand-built bake files. */
import { customizeBake, mergeTarget, type BakeCustomization } from "../../src/bake/customize";
import type { BakeFile, BakeTarget } from "../../src/bake/model";
import { CompileError, SourceFile, formatDiagnostic } from "../../src/diagnostics";

/** web, api (with a `target:web` context) and a profile group `tools` holding api. */
function bake(): BakeFile {
  return {
    variable: {},
    group: { default: { targets: ["api", "web"] }, tools: { targets: ["api"] } },
    target: {
      api: { context: "api", contexts: { base: "target:web", assets: "./assets" }, tags: ["p-api"] },
      web: { context: ".", tags: ["p-web"], platforms: ["linux/amd64"], args: { A: "1", B: "2" }, pull: false },
    },
  };
}

function errorsOf(c: BakeCustomization, input: BakeFile = bake()): string[] {
  try {
    customizeBake(input, c);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return e.diagnostics.map((d) => formatDiagnostic(d));
  }
  throw new Error("expected an error");
}

describe("rename", () => {
  test("renames the target and every reference: groups (re-sorted) and target: contexts", () => {
    const out = customizeBake(bake(), { rename: { web: "frontend", api: "zz-api" } });
    expect(Object.keys(out.target).sort()).toEqual(["frontend", "zz-api"]);
    expect(out.group).toEqual({ default: { targets: ["frontend", "zz-api"] }, tools: { targets: ["zz-api"] } });
    expect(out.target["zz-api"]!.contexts).toEqual({ base: "target:frontend", assets: "./assets" });
  });
  test("two targets may swap names", () => {
    const out = customizeBake(bake(), { rename: { web: "api", api: "web" } });
    expect(out.target.api!.tags).toEqual(["p-web"]);
    expect(out.target.web!.contexts).toMatchObject({ base: "target:api" });
  });
  test("unknown, invalid and clashing names are errors, all reported", () => {
    expect(errorsOf({ rename: { nope: "x", web: "a.b" } })).toEqual([
      'error: rename: there is no target "nope" (targets: api, web) [config-unknown-target]',
      'error: rename: "a.b" is not a valid bake target name (letters, digits, "_" and "-") [config-invalid-name]',
    ]);
    expect(errorsOf({ rename: { web: "api" } })).toEqual([
      'error: rename: "web" cannot be renamed to "api": a target of that name exists [config-name-clash]',
    ]);
    expect(errorsOf({ rename: { web: "tools" } })).toEqual([
      'error: rename: "web" cannot be renamed to "tools": a group of that name exists [config-name-clash]',
    ]);
    expect(errorsOf({ rename: { web: "x", api: "x" } })).toEqual([
      'error: rename: "api" and "web" are both renamed to "x" [config-name-clash]',
    ]);
  });
});

describe("target attributes", () => {
  const merged = (attrs: BakeTarget): BakeTarget => customizeBake(bake(), { targets: { web: attrs } }).target.web!;
  test("lists append without repeats", () => {
    expect(merged({ platforms: ["linux/arm64", "linux/amd64"] }).platforms).toEqual(["linux/amd64", "linux/arm64"]);
    expect(merged({ "cache-to": ["type=gha"] })["cache-to"]).toEqual(["type=gha"]);
    expect(merged({ tags: ["p-web", "reg/web:1", "reg/web:1"] }).tags).toEqual(["p-web", "reg/web:1"]);
  });
  test("maps merge by key, the setting winning", () =>
    expect(merged({ args: { B: "3", C: "4" } }).args).toEqual({ A: "1", B: "3", C: "4" }));
  test("strings and booleans replace", () => {
    expect(merged({ context: "web", pull: true, network: "host" })).toMatchObject({
      context: "web",
      pull: true,
      network: "host",
    });
    expect(merged({ pull: false }).pull).toBe(false);
  });
  test('"*" applies to every target first, then the named target', () => {
    const out = customizeBake(bake(), {
      targets: {
        web: { platforms: ["linux/riscv64"], network: "none" },
        "*": { platforms: ["linux/arm64"], network: "host" },
      },
    });
    expect(out.target.web!.platforms).toEqual(["linux/amd64", "linux/arm64", "linux/riscv64"]);
    expect(out.target.web!.network).toBe("none");
    expect(out.target.api!.platforms).toEqual(["linux/arm64"]);
    expect(out.target.api!.network).toBe("host");
  });
  test("targets are named as after renaming; the old name gets a hint", () => {
    const c = { rename: { web: "frontend" }, targets: { frontend: { pull: true } } };
    expect(customizeBake(bake(), c).target.frontend!.pull).toBe(true);
    expect(errorsOf({ rename: { web: "frontend" }, targets: { web: { pull: true } } })).toEqual([
      'error: target.web: there is no target "web"; it is renamed to "frontend" by [rename], use the new name (targets: api, frontend) [config-unknown-target]',
    ]);
  });
  test("template values are compared as values when removing repeats", () => {
    const t: BakeTarget = { tags: [{ template: ["r/", { expr: "TAG" }] }] };
    expect(mergeTarget(t, { tags: [{ template: ["r/", { expr: "TAG" }] }, "x"] }).tags).toEqual([
      { template: ["r/", { expr: "TAG" }] },
      "x",
    ]);
  });
  test("a map bake builds from an expression (kept extra-hosts) is merged by bake, the added keys last", () => {
    const t: BakeTarget = { "extra-hosts": { template: [{ expr: '{ (H) = "1.1.1.1" }' }] } };
    expect(mergeTarget(t, { "extra-hosts": { z: "2.2.2.2" } })["extra-hosts"]).toEqual({
      template: [{ expr: 'merge("${{ (H) = "1.1.1.1" }}", { "z" = "2.2.2.2" })' }],
    });
  });
  test("a map with a key named template is still a map", () => {
    const t: BakeTarget = { args: { template: "a" } };
    expect(mergeTarget(t, { args: { B: "b" } }).args).toEqual({ template: "a", B: "b" });
  });
});

describe("groups", () => {
  test("are added with their members in the order written, without repeats", () => {
    const out = customizeBake(bake(), { groups: { ci: { targets: ["web", "api", "web"], description: "CI" } } });
    expect(out.group.ci).toEqual({ targets: ["web", "api"], description: "CI" });
  });
  test("may list groups, and replace a generated group", () => {
    const out = customizeBake(bake(), {
      groups: { default: { targets: ["web"] }, all: { targets: ["default", "tools"] } },
    });
    expect(out.group.default).toEqual({ targets: ["web"] });
    expect(out.group.all).toEqual({ targets: ["default", "tools"] });
  });
  test("members must exist; names must be valid and not a target's; no cycles", () => {
    expect(errorsOf({ groups: { ci: { targets: ["web", "nope"] } } })).toEqual([
      'error: group "ci": there is no target or group "nope" (targets: api, web) [config-unknown-target]',
    ]);
    expect(errorsOf({ groups: { web: { targets: ["api"] } } })).toEqual([
      'error: group "web" has the name of a target [config-name-clash]',
    ]);
    expect(errorsOf({ groups: { "c i": { targets: ["api"] } } })).toEqual([
      'error: group "c i" is not a valid bake group name (letters, digits, "_" and "-") [config-invalid-name]',
    ]);
    expect(errorsOf({ groups: { a: { targets: ["a"] } } })).toEqual([
      'error: group "a" lists itself [config-group-cycle]',
    ]);
    expect(errorsOf({ groups: { a: { targets: ["b"] }, b: { targets: ["web", "a"] } } })).toEqual([
      "error: groups include each other: a → b → a [config-group-cycle]",
    ]);
  });
});

test("errors carry the position `locate` gives", () => {
  const file = new SourceFile("/p/compose2bake.toml", '[rename]\nnope = "x"\n');
  const c: BakeCustomization = {
    rename: { nope: "x" },
    locate: (p) => (p.join(".") === "rename.nope" ? { file, offset: 9 } : undefined),
  };
  expect(errorsOf(c)).toEqual([
    '/p/compose2bake.toml:2:1: error: rename: there is no target "nope" (targets: api, web) [config-unknown-target]',
  ]);
});

test("never changes its input, and no customization returns the input", () => {
  const input = bake();
  const copy = JSON.parse(JSON.stringify(input));
  customizeBake(input, {
    rename: { web: "frontend" },
    targets: { "*": { platforms: ["linux/arm64"], args: { Z: "1" } } },
    groups: { ci: { targets: ["frontend"] } },
  });
  expect(input).toEqual(copy);
  expect(customizeBake(input, undefined)).toBe(input);
});
