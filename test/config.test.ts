/**
 * compose2bake.toml (src/config.ts): parsing, validation with TOML positions, lookup, and the precedence of
 * explicit options over the file (`withConfig`). Errors are compared as rendered, relative to the file's folder.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfig, parseConfig, type Config } from "../src/config/load";
import { withConfig } from "../src/index";
import { CompileError, SourceFile, formatDiagnostic } from "../src/diagnostics";
import { locateToml } from "../src/config/toml-positions";

const DIR = "/project";
const FILE = `${DIR}/compose2bake.toml`;

function parse(text: string): Config {
  return parseConfig(new SourceFile(FILE, text));
}

/** Parses `text` and returns the Config without the `customize.locate` function (not comparable). */
function expectConfig(text: string, expected: Omit<Config, "file">): void {
  const config = parse(text);
  const { customize, ...rest } = config;
  const plain = customize ? { ...rest, customize: { ...customize, locate: undefined } } : rest;
  const want = expected.customize ? { ...expected, customize: { ...expected.customize, locate: undefined } } : expected;
  expect(plain).toEqual({ file: FILE, ...want });
}

/** Every error, rendered as the CLI prints it (one per line). */
function errorsOf(text: string): string {
  try {
    parse(text);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return e.diagnostics.map((d) => formatDiagnostic(d, DIR)).join("\n");
  }
  throw new Error("expected an error");
}

function expectConfigError(text: string, expected: string): void {
  expect(errorsOf(text)).toBe(expected);
}

describe("keys", () => {
  test("an empty file is an empty Config", () => expectConfig("", {}));
  test("inputs; relative paths are relative to the file's folder", () =>
    expectConfig(
      `files = ["compose.yaml", "deploy/ci.yaml"]\nprofiles = ["debug"]\nenv_files = [".env.ci"]\nproject_directory = "app"\nproject_name = "shop"\nservices = ["web"]\n`,
      {
        files: ["/project/compose.yaml", "/project/deploy/ci.yaml"],
        profiles: ["debug"],
        envFiles: ["/project/.env.ci"],
        projectDirectory: "/project/app",
        projectName: "shop",
        services: ["web"],
      },
    ));
  test("absolute paths stay", () =>
    expectConfig(`files = ["/elsewhere/compose.yaml"]`, { files: ["/elsewhere/compose.yaml"] }));
  test("output, format, variables, absolute_paths", () =>
    expectConfig(`output = "out/docker-bake.hcl"\nformat = "hcl"\nvariables = "resolve"\nabsolute_paths = true\n`, {
      output: "/project/out/docker-bake.hcl",
      format: "hcl",
      variables: "resolve",
      absolutePaths: true,
    }));
  test("rename, target attributes of every kind, groups", () =>
    expectConfig(
      [
        "[rename]",
        'web = "frontend"',
        '[target."*"]',
        'platforms = ["linux/amd64", "linux/arm64"]',
        'args = { GO_VERSION = "1.22" }',
        "pull = true",
        'network = "host"',
        "[target.frontend]",
        'cache-to = ["type=gha,mode=max"]',
        "[group.ci]",
        'targets = ["frontend"]',
        'description = "what CI builds"',
      ].join("\n"),
      {
        customize: {
          rename: { web: "frontend" },
          targets: {
            "*": {
              platforms: ["linux/amd64", "linux/arm64"],
              args: { GO_VERSION: "1.22" },
              pull: true,
              network: "host",
            },
            frontend: { "cache-to": ["type=gha,mode=max"] },
          },
          groups: { ci: { targets: ["frontend"], description: "what CI builds" } },
        },
      },
    ));
  test("dotted keys and inline tables mean the same", () =>
    expectConfig(`target = { web = { tags = ["a"] } }\ngroup.ci.targets = ["web"]\n`, {
      customize: { targets: { web: { tags: ["a"] } }, groups: { ci: { targets: ["web"] } } },
    }));
});

describe("errors name compose2bake.toml:LINE:COL", () => {
  test("syntax errors use smol-toml's position", () => {
    expectConfigError(`files = ["a",\n`, "compose2bake.toml:2:1: error: invalid TOML: invalid value [config-syntax]");
    expectConfigError(
      `a = 1\na = 2\n`,
      "compose2bake.toml:2:1: error: invalid TOML: trying to redefine an already defined table or value [config-syntax]",
    );
    expectConfigError(
      `output = "x\n`,
      "compose2bake.toml:1:12: error: invalid TOML: unterminated string [config-syntax]",
    );
    expectConfigError(
      `output = "x\u0001"\n`,
      "compose2bake.toml:1:12: error: invalid TOML: control characters are not allowed in strings [config-syntax]",
    );
  });
  test("unknown keys point at the key", () => {
    expectConfigError(
      `output = "x.json"\n\nfile = ["compose.yaml"]\n`,
      'compose2bake.toml:3:1: error: unknown key "file" (known: files, profiles, env_files, project_directory, project_name, services, output, format, variables, absolute_paths, rename, target, group) [config-unknown-key]',
    );
    expect(errorsOf(`[target.web]\n  platform = ["linux/amd64"]\n`)).toMatch(
      /^compose2bake\.toml:2:3: error: unknown bake target attribute "platform" in target\.web \(known: context, contexts, .*attest\) \[config-unknown-key\]$/,
    );
    expectConfigError(
      `[group.ci]\ntargets = ["a"]\nmembers = ["b"]\n`,
      'compose2bake.toml:3:1: error: unknown key "members" in group.ci (known: targets, description) [config-unknown-key]',
    );
  });
  test("wrong types point at the value and say what was found", () => {
    expectConfigError(
      `files = "compose.yaml"`,
      'compose2bake.toml:1:9: error: files must be an array of strings (["..."]), not a string ("compose.yaml") [config-type]',
    );
    expectConfigError(
      `profiles = [1]`,
      "compose2bake.toml:1:13: error: profiles[0] must be a string, not a number (1) [config-type]",
    );
    expectConfigError(
      `absolute_paths = "yes"`,
      'compose2bake.toml:1:18: error: absolute_paths must be a boolean (true or false), not a string ("yes") [config-type]',
    );
    expectConfigError(
      `project_name = 1979-05-27`,
      "compose2bake.toml:1:16: error: project_name must be a string, not a date [config-type]",
    );
    expectConfigError(
      `format = "yaml"`,
      'compose2bake.toml:1:10: error: format must be "json" or "hcl", not "yaml" [config-invalid-value]',
    );
    expectConfigError(
      `variables = true`,
      'compose2bake.toml:1:13: error: variables must be "keep" or "resolve", not a boolean (true) [config-type]',
    );
    expectConfigError(
      `rename = ["a"]`,
      'compose2bake.toml:1:10: error: rename must be a table of old name = "new name", not an array [config-type]',
    );
    expectConfigError(
      `[rename]\nweb = 1\n`,
      "compose2bake.toml:2:7: error: rename.web must be a string, not a number (1) [config-type]",
    );
    expectConfigError(
      `[group.ci]\ndescription = "x"\n`,
      'compose2bake.toml:1:1: error: group.ci needs targets = ["...", ...] [config-type]',
    );
    expectConfigError(
      `output = "a.hcl"\nformat = "json"\n`,
      "compose2bake.toml:2:10: error: the format json does not match the output file's extension (a.hcl) [config-format-mismatch]",
    );
  });
  test("target attributes are checked against their bake kind", () => {
    expectConfigError(
      `[target."*"]\ncache-to = "type=gha"\n`,
      'compose2bake.toml:2:12: error: target."*".cache-to must be an array of strings (["..."]), not a string ("type=gha") [config-type]',
    );
    expectConfigError(
      `[target."*"]\nargs = ["A=1"]\n`,
      'compose2bake.toml:2:8: error: target."*".args must be a table of strings ({ KEY = "value" }), not an array [config-type]',
    );
    expectConfigError(
      `[target."*"]\nargs = { A = "1", B = 2 }\n`,
      'compose2bake.toml:2:23: error: target."*".args.B must be a string, not a number (2) [config-type]',
    );
    expectConfigError(
      `[target.web]\npull = "true"\n`,
      'compose2bake.toml:2:8: error: target.web.pull must be a boolean (true or false), not a string ("true") [config-type]',
    );
    expectConfigError(
      `[target.web]\nshm-size = 128\n`,
      "compose2bake.toml:2:12: error: target.web.shm-size must be a string, not a number (128) [config-type]",
    );
    expectConfigError(
      `target.web = "x"`,
      'compose2bake.toml:1:14: error: target.web must be a table of bake target attributes, not a string ("x") [config-type]',
    );
  });
  test("every problem is reported, in file order", () => {
    expectConfigError(
      `format = "yml"\nnope = 1\n[target.web]\ntags = "a"\n`,
      [
        'compose2bake.toml:1:10: error: format must be "json" or "hcl", not "yml" [config-invalid-value]',
        'compose2bake.toml:2:1: error: unknown key "nope" (known: files, profiles, env_files, project_directory, project_name, services, output, format, variables, absolute_paths, rename, target, group) [config-unknown-key]',
        'compose2bake.toml:4:8: error: target.web.tags must be an array of strings (["..."]), not a string ("a") [config-type]',
      ].join("\n"),
    );
  });
  test("items of a multi-line array point at the item (TOML 0.5 arrays hold one type)", () => {
    expectConfigError(
      `[target."*"]\nplatforms = [\n  true, # first\n  false,\n]\n`,
      [
        'compose2bake.toml:3:3: error: target."*".platforms[0] must be a string, not a boolean (true) [config-type]',
        'compose2bake.toml:4:3: error: target."*".platforms[1] must be a string, not a boolean (false) [config-type]',
      ].join("\n"),
    );
  });
});

describe("positions", () => {
  const at = (text: string, p: Array<string | number>): string | undefined => {
    const pos = locateToml(text);
    const offset = pos.value(p) ?? pos.key(p);
    if (offset === undefined) return undefined;
    const { line, column } = new SourceFile("f", text).lineCol(offset);
    return `${line}:${column}`;
  };
  test("tables, dotted and quoted keys", () => {
    const text = `a = 1\n[target."*"]\n"cache-to" = ["x"]\n[ target . 'web' ]\nb.c = 'd'\n`;
    expect(at(text, ["a"])).toBe("1:5");
    expect(at(text, ["target", "*", "cache-to"])).toBe("3:14");
    expect(at(text, ["target", "*", "cache-to", 0])).toBe("3:15");
    expect(locateToml(text).key(["target", "web"])).toBe(text.indexOf("[ target"));
    expect(at(text, ["target", "web", "b", "c"])).toBe("5:7");
    expect(locateToml(text).key(["target", "web", "b"])).toBe(text.indexOf("b.c"));
  });
  test("strings that look like keys or headers are skipped", () => {
    const text = `x = """\n[fake]\ny = 1\n"""\nz = '''a''' # [nope]\nw = "q\\"[x]"\nv = 2\n`;
    expect(at(text, ["fake"])).toBeUndefined();
    expect(at(text, ["y"])).toBeUndefined();
    expect(at(text, ["v"])).toBe("7:5");
  });
  test("inline tables and arrays of tables", () => {
    const text = `t = { a = { b = [1, { c = 2 }] } }\n[[arr]]\nk = 1\n[[arr]]\nk = 2\n`;
    expect(at(text, ["t", "a", "b", 1, "c"])).toBe("1:27");
    expect(at(text, ["arr", 1, "k"])).toBe("5:5");
  });
  test("escapes in quoted keys are decoded", () => {
    expect(at(`"a\\u0041" = 1`, ["aA"])).toBe("1:13");
  });
});

describe("withConfig: explicit options win over the file", () => {
  const config: Config = {
    file: FILE,
    files: ["/project/compose.yaml"],
    profiles: ["debug"],
    envFiles: ["/project/.env.ci"],
    projectDirectory: "/project",
    projectName: "shop",
    services: ["web"],
    output: "/project/docker-bake.hcl",
    variables: "resolve",
    absolutePaths: true,
  };
  const base = { cwd: "/cwd", env: {} };
  test("unset options come from the file", () => {
    expect(withConfig(base, config)).toEqual({
      ...base,
      files: ["/project/compose.yaml"],
      profiles: ["debug"],
      envFiles: ["/project/.env.ci"],
      projectDirectory: "/project",
      projectName: "shop",
      services: ["web"],
      outputFile: "/project/docker-bake.hcl",
      format: "hcl",
      variables: "resolve",
      absolutePaths: true,
      config,
    });
  });
  test("given options win; a given list replaces the file's; an empty list counts as not given", () => {
    const merged = withConfig(
      {
        ...base,
        files: ["a.yaml"],
        profiles: [],
        projectName: "other",
        outputFile: "/cwd/x.json",
        variables: "keep",
        absolutePaths: false,
      },
      config,
    );
    expect(merged).toMatchObject({
      files: ["a.yaml"],
      profiles: ["debug"],
      projectName: "other",
      outputFile: "/cwd/x.json",
      format: "json",
      variables: "keep",
      absolutePaths: false,
    });
  });
  test("format: --format, else the given output's extension, else format, else output's extension", () => {
    expect(withConfig({ ...base, format: "json" }, config).format).toBe("json");
    expect(withConfig({ ...base, outputFile: "/cwd/out.json" }, { ...config, format: "hcl" }).format).toBe("json");
    expect(withConfig({ ...base, outputFile: "/cwd/out.txt" }, { ...config, format: "hcl" }).format).toBe("hcl");
    expect(withConfig(base, { ...config, output: undefined }).format).toBeUndefined();
  });
  test("is idempotent and a no-op without a config", () => {
    const once = withConfig(base, config);
    expect(withConfig(once, config)).toEqual(once);
    expect(withConfig(base, undefined)).toBe(base);
  });
});

describe("loadConfig", () => {
  const tmp = (): string => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-config-")));
  test("compose2bake.toml in the current folder, else none", () => {
    const dir = tmp();
    expect(loadConfig({ cwd: dir })).toBeUndefined();
    fs.writeFileSync(path.join(dir, "compose2bake.toml"), `output = "b.json"\n`);
    expect(loadConfig({ cwd: dir })).toEqual({
      file: path.join(dir, "compose2bake.toml"),
      output: path.join(dir, "b.json"),
    });
  });
  test("in --project-directory instead of the current folder; paths relative to the file", () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, "app"));
    fs.writeFileSync(path.join(dir, "compose2bake.toml"), `output = "root.json"\n`);
    fs.writeFileSync(path.join(dir, "app", "compose2bake.toml"), `output = "app.json"\n`);
    expect(loadConfig({ cwd: dir, projectDirectory: "app" })?.output).toBe(path.join(dir, "app", "app.json"));
  });
  test("--config names the file, which must exist", () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, "ci"));
    fs.writeFileSync(path.join(dir, "ci", "bake.toml"), `output = "../out.hcl"\n`);
    expect(loadConfig({ cwd: dir, file: "ci/bake.toml" })?.output).toBe(path.join(dir, "out.hcl"));
    expect(() => loadConfig({ cwd: dir, file: "missing.toml" })).toThrow(
      `open ${path.join(dir, "missing.toml")}: no such file or directory`,
    );
  });
});
