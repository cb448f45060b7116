/**
 * The two emitters on hand-built BakeFiles: both formats describe the same file (HCL read back with HashiCorp's
 * parser through test/support/hcl.ts), output is byte-stable, and one small file of each format is pinned as a
 * golden string.
 */

import * as fs from "fs";
import fc from "fast-check";
import type { BakeFile, BakeString, BakeTarget } from "../../src/bake/model";
import { TARGET_ATTRIBUTE_ORDER } from "../../src/bake/model";
import { emitJson, emitJsonByPieces, emitJsonByStringify } from "../../src/bake/json";
import { TARGET_ATTRIBUTE_KINDS, jsonTemplateString } from "../../src/bake/escape";
import { emitHcl } from "../../src/bake/hcl";
import { hclToBakeJson } from "../support/hcl";

const t = (...parts: Array<string | { expr: string }>): BakeString => ({ template: parts });

/** Every target attribute, and strings with every character class the escapers handle. */
function fullFile(): BakeFile {
  return {
    variable: {
      TAG: {
        default: "latest",
        description: 'Tag for "${images}" %{here}',
        validation: [
          { condition: 'TAG != ""', error_message: 'TAG must not be empty (was "${TAG}").' },
          { condition: 'can(regex("^[a-z0-9.-]+$", TAG))', error_message: "TAG must be lower case." },
        ],
      },
      REGISTRY: { default: "docker.io/$${org}" },
      EMPTY: {},
    },
    group: {
      default: { targets: ["app", "base"] },
      "ci-all": { description: "Everything CI builds: ${all}", targets: ["app", "base", "with-empties"] },
      none: { targets: [] },
    },
    target: {
      app: {
        context: "./app",
        contexts: { base: "target:base", "alpine:3.20": "docker-image://alpine:3.20" },
        dockerfile: "Dockerfile.app",
        "dockerfile-inline":
          'FROM alpine:3.20\nARG GREETING\nRUN echo "${GREETING}" \'C:\\dir\' %{x} $${y} $$\n\tCMD ["sh", "-c", "echo $HOME"]\r\n# é 🐳\n',
        args: {
          NODE_ENV: "production",
          GREETING: "hello ${USER}",
          "x.y": "v",
          "k${q}": "é🐳",
          for: "keyword",
          "10": "ten",
          "9": "nine",
          QUOTED: 'say "hi" \\o/',
        },
        labels: {
          "org.opencontainers.image.title": 'App "quoted"',
          "com.example.path": "C:\\dir\\",
          "com.example.handlebars": "{{ .Name }} {{{raw}}}",
        },
        tags: [t("example/app:", { expr: "TAG" }), "example/app:latest", t("${lit}-", { expr: "upper(TAG)" }, "-%{x}")],
        "cache-from": ["type=registry,ref=example/app:cache"],
        "cache-to": ["type=inline"],
        target: "runtime",
        secret: ["id=token,env=TOKEN", "id=aws,src=/root/.aws/credentials"],
        ssh: ["default", "key=/path/to/key"],
        platforms: ["linux/amd64", "linux/arm64"],
        output: ["type=docker"],
        pull: true,
        "no-cache": false,
        network: "host",
        "no-cache-filter": ["build", "test"],
        "shm-size": "128m",
        ulimits: ["nofile=1024:2048"],
        entitlements: ["network.host"],
        "extra-hosts": { somehost: "162.242.195.82", "other.host": "50.31.209.229" },
        attest: ["type=provenance,mode=max", "type=sbom"],
      },
      base: {
        context: ".",
        tags: Array.from({ length: 6 }, (_, i) => `registry.example.com/team/base:variant-${i}`),
      },
      empty: {},
      "with-empties": { tags: [], args: {}, context: undefined, platforms: ["linux/amd64"], labels: {} },
    },
  };
}

/** Small enough to read; pinned byte for byte below. */
function smallFile(): BakeFile {
  return {
    variable: { TAG: { default: "latest" } },
    group: { default: { targets: ["app"] } },
    target: {
      app: {
        context: ".",
        dockerfile: "Dockerfile",
        args: { GREETING: "hello ${USER}", "org.example.flag": "1" },
        tags: [t("example/app:", { expr: "TAG" })],
        platforms: ["linux/amd64", "linux/arm64"],
        pull: true,
      },
    },
  };
}

/** The same data with every object's keys inserted in reverse order (arrays untouched). */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).reverse()) out[k] = reversedKeys((value as Record<string, unknown>)[k]);
    return out as T;
  }
  return value;
}

describe("both formats", () => {
  test("HCL read back by HashiCorp's parser describes the same file as the JSON", async () => {
    const file = fullFile();
    expect(await hclToBakeJson(emitHcl(file))).toEqual(JSON.parse(emitJson(file)));
  });

  test("the small file agrees too", async () => {
    const file = smallFile();
    expect(await hclToBakeJson(emitHcl(file))).toEqual(JSON.parse(emitJson(file)));
  });

  test("emitting twice gives identical bytes", () => {
    expect(emitJson(fullFile())).toBe(emitJson(fullFile()));
    expect(emitHcl(fullFile())).toBe(emitHcl(fullFile()));
  });

  test("key insertion order of the input does not matter", () => {
    const file = fullFile();
    const reversed = reversedKeys(file);
    expect(Object.keys(reversed.target)).toEqual(Object.keys(file.target).reverse()); // the helper did reverse
    expect(emitJson(reversed)).toBe(emitJson(file));
    expect(emitHcl(reversed)).toBe(emitHcl(file));
  });

  test("the input is not modified", () => {
    const file = fullFile();
    emitJson(file);
    emitHcl(file);
    expect(file).toEqual(fullFile());
  });

  test.each([
    ["JSON", emitJson],
    ["HCL", emitHcl],
  ])("%s uses LF, no trailing spaces and one final newline", (_name, emit) => {
    const text = emit(fullFile());
    expect(text).not.toContain("\r");
    expect(text).not.toMatch(/[ \t]$/m);
    expect(text.endsWith("\n") && !text.endsWith("\n\n")).toBe(true);
    expect(text).not.toContain("\n\n\n");
  });

  test.each([
    ["JSON", emitJson],
    ["HCL", emitHcl],
  ])("%s rejects an attribute bake does not have", (_name, emit) => {
    const file: BakeFile = { variable: {}, group: {}, target: { x: { context: ".", cachefrom: ["a"] } as BakeTarget } };
    expect(() => emit(file)).toThrow('target "x" has unknown bake attribute "cachefrom"');
  });
});

describe("emitJson", () => {
  test("writes the small file", () => {
    expect(emitJson(smallFile())).toBe(SMALL_JSON);
  });

  test("long strings and keys are quoted as JSON.stringify quotes them, escapes or not", () => {
    // Long strings without an escape take a shorter path (json.ts, jsonQuote): the text must be the same.
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 300 }),
        (s, n) => {
          const value = s.replace(/[$%]/g, "").repeat(n);
          const file: BakeFile = { variable: {}, group: {}, target: { a: { args: { [value]: value } } } };
          const quoted = JSON.stringify(jsonTemplateString(value));
          return emitJson(file).includes(`${quoted}: ${quoted}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("writes {} for a file with nothing in it", () => {
    expect(emitJson({ variable: {}, group: {}, target: {} })).toBe("{}\n");
  });

  test("leaves out empty sections", () => {
    expect(emitJson({ variable: { A: { default: "1" } }, group: {}, target: {} })).toBe(
      '{\n  "variable": {\n    "A": {\n      "default": "1"\n    }\n  }\n}\n',
    );
  });

  test("writes sections in the order variable, group, target", () => {
    expect(Object.keys(JSON.parse(emitJson(fullFile())))).toEqual(["variable", "group", "target"]);
  });

  test("writes target attributes in TARGET_ATTRIBUTE_ORDER", () => {
    expect(Object.keys(JSON.parse(emitJson(fullFile())).target.app)).toEqual(TARGET_ATTRIBUTE_ORDER);
  });

  test("sorts names and map keys by code unit, integer-like keys included", () => {
    const text = emitJson(fullFile());
    const at = (s: string) => text.indexOf(s);
    expect(at('"10": "ten"')).toBeLessThan(at('"9": "nine"'));
    expect(at('"9": "nine"')).toBeLessThan(at('"GREETING"'));
    expect(at('"GREETING"')).toBeLessThan(at('"NODE_ENV"'));
    expect(at('"NODE_ENV"')).toBeLessThan(at('"for"'));
    expect(at('"for"')).toBeLessThan(at('"k$${q}"'));
    expect(at('"k$${q}"')).toBeLessThan(at('"x.y"'));
    expect(at('"EMPTY": {}')).toBeLessThan(at('"REGISTRY"'));
    expect(at('"app": {')).toBeLessThan(at('"base": {'));
  });

  test("leaves out undefined values, empty lists and empty maps, keeps false", () => {
    const json = JSON.parse(emitJson(fullFile()));
    expect(json.target["with-empties"]).toEqual({ platforms: ["linux/amd64"] });
    expect(json.target.empty).toEqual({});
    expect(json.target.app["no-cache"]).toBe(false);
    expect(json.target.app.pull).toBe(true);
  });

  test("always writes a group's targets", () => {
    expect(JSON.parse(emitJson(fullFile())).group.none).toEqual({ targets: [] });
  });

  test("escapes template sequences in values and map keys, not in names", () => {
    const json = JSON.parse(emitJson(fullFile()));
    expect(json.variable.TAG.description).toBe('Tag for "$${images}" %%{here}');
    expect(json.variable.REGISTRY.default).toBe("docker.io/$$${org}");
    expect(json.target.app.args["k$${q}"]).toBe("é🐳");
    expect(json.target.app.args.GREETING).toBe("hello $${USER}");
    expect(json.target.app.tags).toEqual(["example/app:${TAG}", "example/app:latest", "$${lit}-${upper(TAG)}-%%{x}"]);
    expect(json.target.app["dockerfile-inline"]).toBe(
      'FROM alpine:3.20\nARG GREETING\nRUN echo "$${GREETING}" \'C:\\dir\' %%{x} $$${y} $$\n\tCMD ["sh", "-c", "echo $HOME"]\r\n# é 🐳\n',
    );
  });

  test("writes validation conditions as ${expr} and escapes the message", () => {
    expect(JSON.parse(emitJson(fullFile())).variable.TAG.validation).toEqual([
      { condition: '${TAG != ""}', error_message: 'TAG must not be empty (was "$${TAG}").' },
      { condition: '${can(regex("^[a-z0-9.-]+$", TAG))}', error_message: "TAG must be lower case." },
    ]);
  });

  test("writes a $ before an expression and a lone CR so that bake reads them as text", () => {
    const file: BakeFile = { variable: {}, group: {}, target: { a: { tags: [t("cost $", { expr: "X" }, "\r")] } } };
    expect(JSON.parse(emitJson(file)).target.a.tags).toEqual(['cost ${"$"}${X}${"\\r"}']);
  });
});

describe("emitHcl", () => {
  test("writes the small file", () => {
    expect(emitHcl(smallFile())).toBe(SMALL_HCL);
  });

  test("writes nothing for a file with nothing in it", () => {
    expect(emitHcl({ variable: {}, group: {}, target: {} })).toBe("");
  });

  test("writes blocks variable, group, target, sorted, one blank line apart", () => {
    const headers = emitHcl(fullFile())
      .split("\n")
      .filter((l) => /^[a-z]/.test(l));
    expect(headers).toEqual([
      'variable "EMPTY" {}',
      'variable "REGISTRY" {',
      'variable "TAG" {',
      'group "ci-all" {',
      'group "default" {',
      'group "none" {',
      'target "app" {',
      'target "base" {',
      'target "empty" {}',
      'target "with-empties" {',
    ]);
    expect(emitHcl(fullFile())).toMatch(/^}\n\ngroup "ci-all" \{$/m);
  });

  test("writes target attributes in TARGET_ATTRIBUTE_ORDER", () => {
    const app = emitHcl(fullFile()).split('target "app" {\n')[1]!.split("\n}\n")[0]!;
    const names = app
      .split("\n")
      .map((l) => /^ {2}([a-z-]+) +=/.exec(l)?.[1])
      .filter((n) => n !== undefined);
    expect(names).toEqual(TARGET_ATTRIBUTE_ORDER);
  });

  test("aligns = within runs of one-line attributes and within maps", () => {
    const text = emitHcl(fullFile());
    expect(text).toContain('target "app" {\n  context = "./app"\n  contexts = {\n');
    expect(text).toContain('    "alpine:3.20" = "docker-image://alpine:3.20"\n    base          = "target:base"\n');
    expect(text).toContain('  dockerfile        = "Dockerfile.app"\n  dockerfile-inline = "FROM alpine:3.20\\nARG');
    expect(text).toContain(
      '    condition     = TAG != ""\n    error_message = "TAG must not be empty (was \\"$${TAG}\\")."\n',
    );
  });

  test("writes a long list one element per line with trailing commas", () => {
    const base = emitHcl(fullFile()).split('target "base" {\n')[1]!.split("\n}\n")[0]!;
    expect(base).toBe(
      [
        '  context = "."',
        "  tags = [",
        ...Array.from({ length: 6 }, (_, i) => `    "registry.example.com/team/base:variant-${i}",`),
        "  ]",
      ].join("\n"),
    );
  });

  test("keeps a list on one line up to 100 characters", () => {
    const list = (n: number): BakeFile => ({ variable: {}, group: {}, target: { a: { tags: ["x".repeat(n)] } } });
    // "  tags = [" + quoted + "]" is 2 + 4 + 3 + (n + 2) + 2 = n + 13 characters.
    expect(emitHcl(list(87))).toBe(`target "a" {\n  tags = ["${"x".repeat(87)}"]\n}\n`);
    expect(emitHcl(list(88))).toBe(`target "a" {\n  tags = [\n    "${"x".repeat(88)}",\n  ]\n}\n`);
  });

  test("quotes map keys that are not identifiers", () => {
    const text = emitHcl(fullFile());
    expect(text).toContain('    "10"     = "ten"\n    "9"      = "nine"\n    GREETING = "hello $${USER}"\n');
    expect(text).toContain('    "for"    = "keyword"\n    "k$${q}" = "é🐳"\n');
  });

  test("writes booleans bare", () => {
    expect(emitHcl(fullFile())).toContain("  pull            = true\n  no-cache        = false\n");
  });

  test("writes an empty group's targets as []", () => {
    expect(emitHcl(fullFile())).toContain('group "none" {\n  targets = []\n}\n');
  });
});

describe("loading the HCL template", () => {
  test("loads handlebars and reads the template only on the first emitHcl call", () => {
    jest.isolateModules(() => {
      let handlebarsLoads = 0;
      jest.doMock("handlebars", () => {
        handlebarsLoads++;
        return jest.requireActual("handlebars");
      });
      // The fs module object itself: the `import * as fs` namespace above has read-only getters.
      const readFileSync = jest.spyOn(require("fs") as typeof fs, "readFileSync");
      try {
        const hcl = require("../../src/bake/hcl") as typeof import("../../src/bake/hcl");
        expect(handlebarsLoads).toBe(0);
        expect(readFileSync).not.toHaveBeenCalled();
        const first = hcl.emitHcl(smallFile());
        const second = hcl.emitHcl(smallFile());
        expect(second).toBe(first);
        expect(handlebarsLoads).toBe(1);
        expect(readFileSync.mock.calls.filter(([p]) => String(p).endsWith("bake.hcl.hbs"))).toHaveLength(1);
      } finally {
        readFileSync.mockRestore();
        jest.dontMock("handlebars");
      }
    });
  });
});

const SMALL_JSON = `{
  "variable": {
    "TAG": {
      "default": "latest"
    }
  },
  "group": {
    "default": {
      "targets": [
        "app"
      ]
    }
  },
  "target": {
    "app": {
      "context": ".",
      "dockerfile": "Dockerfile",
      "args": {
        "GREETING": "hello $\${USER}",
        "org.example.flag": "1"
      },
      "tags": [
        "example/app:\${TAG}"
      ],
      "platforms": [
        "linux/amd64",
        "linux/arm64"
      ],
      "pull": true
    }
  }
}
`;

const SMALL_HCL = `variable "TAG" {
  default = "latest"
}

group "default" {
  targets = ["app"]
}

target "app" {
  context    = "."
  dockerfile = "Dockerfile"
  args = {
    GREETING           = "hello $\${USER}"
    "org.example.flag" = "1"
  }
  tags      = ["example/app:\${TAG}"]
  platforms = ["linux/amd64", "linux/arm64"]
  pull      = true
}
`;

describe("emitJson's two writers", () => {
  // emitJson writes most files with V8's JSON.stringify and falls back to its piece-by-piece writer when a key
  // is an array index or a string is long; both must give the same bytes wherever the first one answers.
  const text = fc.string({
    unit: fc.constantFrom(
      "a",
      "Z",
      "0",
      "7",
      "$",
      "%",
      "{",
      "}",
      '"',
      "\\",
      "\r",
      "\n",
      "\ufeff",
      "\u2028",
      "é",
      "🐳",
      "\ud800",
    ),
    maxLength: 8,
  });
  const name = fc.oneof(
    fc.constantFrom(
      "a",
      "web",
      "__proto__",
      "constructor",
      "10",
      "9",
      "0",
      "01",
      "-1",
      "1.5",
      "x.y",
      "k${q}",
      "for",
      "",
    ),
    text,
  );
  const bakeString: fc.Arbitrary<BakeString> = fc.oneof(
    text,
    fc
      .array(fc.oneof(text, fc.constantFrom({ expr: "TAG" }, { expr: 'A == "" ? "x" : A' })), { maxLength: 3 })
      .map((parts) => ({ template: parts })),
  );
  const kinds = {
    string: bakeString,
    bool: fc.oneof(fc.boolean(), bakeString),
    list: fc.array(bakeString, { maxLength: 3 }),
  };
  const attribute = (attr: string): fc.Arbitrary<unknown> => {
    const kind = (TARGET_ATTRIBUTE_KINDS as Record<string, keyof typeof kinds | "map">)[attr]!;
    return kind === "map" ? fc.oneof(fc.dictionary(name, bakeString, { maxKeys: 3 }), bakeString) : kinds[kind];
  };
  const target = fc.record(Object.fromEntries(TARGET_ATTRIBUTE_ORDER.map((attr) => [attr, attribute(attr)])), {
    requiredKeys: [],
  }) as fc.Arbitrary<BakeTarget>;
  const variable = fc.record(
    {
      type: fc.constant("string" as const),
      default: fc.oneof(text, fc.constant(null)),
      description: text,
      validation: fc.array(fc.record({ condition: text, error_message: bakeString }), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  );
  const group = fc.record(
    { targets: fc.array(text, { maxLength: 3 }), description: text },
    { requiredKeys: ["targets"] },
  );
  const file: fc.Arbitrary<BakeFile> = fc.record({
    variable: fc.dictionary(name, variable, { maxKeys: 3 }),
    group: fc.dictionary(name, group, { maxKeys: 2 }),
    target: fc.dictionary(name, target, { maxKeys: 3 }),
  });

  test("write the same bytes", () => {
    let stringified = 0;
    fc.assert(
      fc.property(file, fc.option(fc.array(text, { maxLength: 2 })), (f, comment) => {
        const fast = emitJsonByStringify(f, comment ?? undefined);
        if (fast === undefined) return;
        stringified++;
        expect(fast).toBe(emitJsonByPieces(f, comment ?? undefined));
      }),
      { numRuns: 2000 },
    );
    // Most random files have no index-like key: the comparison must not be vacuous.
    expect(stringified).toBeGreaterThan(500);
  });

  test("leave a file with an index-like key or a long string to the piece-by-piece writer", () => {
    expect(emitJsonByStringify({ variable: {}, group: {}, target: { "1": { context: "." } } })).toBeUndefined();
    expect(emitJsonByStringify({ variable: {}, group: {}, target: { a: { args: { "10": "x" } } } })).toBeUndefined();
    const long = "x".repeat(1 << 16);
    expect(emitJsonByStringify({ variable: {}, group: {}, target: { a: { context: long } } })).toBeUndefined();
    expect(emitJson({ variable: {}, group: {}, target: { a: { context: long } } })).toContain(`"context": "${long}"`);
  });
});
