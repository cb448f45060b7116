import { parseComposeYaml } from "../../src/compose/yaml";
import { CompileError, SourceFile, formatDiagnostic } from "../../src/diagnostics";

function parse(text: string) {
  return parseComposeYaml(new SourceFile("/p/compose.yaml", text));
}
function expectValue(text: string, expected: unknown) {
  expect(JSON.parse(JSON.stringify(parse(text)[0]!.value))).toEqual(expected);
}
function expectError(text: string, expected: string) {
  try {
    parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(CompileError);
    expect(formatDiagnostic((e as CompileError).diagnostics[0]!, "/p")).toBe(expected);
    return;
  }
  throw new Error("expected an error");
}

describe("YAML as compose-go reads it", () => {
  test("YAML 1.2 core schema: yes/no/on/off stay strings", () =>
    expectValue("a: yes\nb: no\nc: on\nd: true\ne: 0x10\nf: ~\ng: 1.5\n", {
      a: "yes",
      b: "no",
      c: "on",
      d: true,
      e: 16,
      f: null,
      g: 1.5,
    }));
  test("numbers as go-yaml v3 reads them: 0755 octal, underscores dropped, 0b binary, 08 a float", () =>
    expectValue(
      "a: 0755\nb: 1_000\nc: 0b101\nd: 08\ne: 1_0.5\nf: '0755'\ng: -0755\nh: .5\ni: 2024-01-01\nj: !!str 0755\n",
      { a: 493, b: 1000, c: 5, d: 8, e: 10.5, f: "0755", g: -493, h: 0.5, i: "2024-01-01", j: "0755" },
    ));
  test("anchors and aliases are expanded", () =>
    expectValue("x: &a {k: v}\ny: *a\n", { x: { k: "v" }, y: { k: "v" } }));
  test("merge key: local keys win", () =>
    expectValue("x: &a {k: v, j: 1}\ny:\n  <<: *a\n  k: w\n", { x: { k: "v", j: 1 }, y: { k: "w", j: 1 } }));
  test("merge key is shallow", () =>
    expectValue("x: &a {args: {A: 1, B: 2}}\ny:\n  <<: *a\n  args: {C: 3}\n", {
      x: { args: { A: 1, B: 2 } },
      y: { args: { C: 3 } },
    }));
  test("merge list: earlier mappings win", () =>
    expectValue("a: &a {k: 1}\nb: &b {k: 2, j: 2}\nc:\n  <<: [*a, *b]\n", {
      a: { k: 1 },
      b: { k: 2, j: 2 },
      c: { k: 1, j: 2 },
    }));
  test("merge with an inline mapping", () =>
    expectValue("a: &a {k: 1}\nc:\n  <<: [*a, {j: 2}]\n", { a: { k: 1 }, c: { k: 1, j: 2 } }));
  test("multi-document files give one entry per document", () =>
    expect(parse("a: 1\n---\nb: 2\n").map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]));
  test("an alias may name an anchor of an earlier document; a later anchor shadows it from there on", () => {
    const text =
      "x: &a {k: 1, i: &b [1]}\ny: &c [*b]\n---\nz: *a\nw: *c\n---\nb: &b [2]\na: &a 3\nv: *a\nu: *c\nt: *b\n";
    expect(parse(text).map((d) => JSON.parse(JSON.stringify(d.value)))).toEqual([
      { x: { k: 1, i: [1] }, y: [[1]] },
      { z: { k: 1, i: [1] }, w: [[1]] },
      // `*c` still holds the first document's `*b`.
      { b: [2], a: 3, v: 3, u: [[1]], t: [2] },
    ]);
  });
  test("an alias to an anchor of a later document is unknown", () =>
    expectError(
      "x: *a\n---\ny: &a 1\n",
      "compose.yaml:1:4: error: unknown anchor 'a' referenced [yaml-unknown-anchor]",
    ));
  test("empty document is null", () => expect(parse("")[0]?.value ?? null).toBeNull());
  test("!reset drops the key and records its path", () => {
    const [doc] = parse("services:\n  web:\n    build: !reset\n    image: x\n");
    expect(doc!.value).toEqual({ services: { web: { image: "x" } } });
    expect(doc!.resetPaths).toEqual([["services", "web", "build"]]);
  });
  test("!override keeps the value and records its path", () => {
    const [doc] = parse("services:\n  web:\n    build: !override {context: x}\n");
    expect(doc!.value).toEqual({ services: { web: { build: { context: "x" } } } });
    expect(doc!.overridePaths).toEqual([["services", "web", "build"]]);
  });
  test("tags inside an anchor apply at every use", () => {
    const [doc] = parse("x-b: &b\n  args: !reset {}\nservices:\n  a:\n    build:\n      <<: *b\n");
    expect(doc!.resetPaths).toEqual([
      ["x-b", "args"],
      ["services", "a", "build", "args"],
    ]);
  });
  test("keys with dots stay one path element", () => {
    const [doc] = parse("services:\n  a.b:\n    build: !reset\n");
    expect(doc!.resetPaths).toEqual([["services", "a.b", "build"]]);
  });
  test("positions are recorded by dotted path", () => {
    const [doc] = parse("services:\n  web:\n    build:\n      context: .\n");
    const pos = doc!.positions.get("services.web.build.context")!;
    expect(pos.file.lineCol(pos.offset!)).toEqual({ line: 4, column: 16 });
  });
  test("a key tagged !reset counts as written: a later duplicate is an error", () =>
    expectError(
      "a: !reset 1\nb: 2\na: 3\n",
      'compose.yaml:3:1: error: failed to parse /p/compose.yaml: line 3: mapping key "a" already defined at line 1 [yaml-duplicate-key]',
    ));
  test("a key written through an alias duplicates the same text", () =>
    expectError(
      "k: &k a\nm:\n  x: 0\n  a: 1\n  *k : 2\n",
      'compose.yaml:5:3: error: failed to parse /p/compose.yaml: line 5: mapping key "a" already defined at line 4 [yaml-duplicate-key]',
    ));
  test("the line named is the key's first one, after a merge key", () =>
    expectError(
      "x: &x {a: 1}\nm:\n  <<: *x\n  a: 1\n  b: 2\n  a: 3\n",
      'compose.yaml:6:3: error: failed to parse /p/compose.yaml: line 6: mapping key "a" already defined at line 4 [yaml-duplicate-key]',
    ));
  test("duplicate keys are an error with both lines", () =>
    expectError(
      "a: 1\nb: 2\na: 3\n",
      'compose.yaml:3:1: error: failed to parse /p/compose.yaml: line 3: mapping key "a" already defined at line 1 [yaml-duplicate-key]',
    ));
  test("non-string keys are an error", () =>
    expectError(
      "services:\n  123: {}\n",
      "compose.yaml:2:3: error: non-string key in services: 123 [yaml-non-string-key]",
    ));
  test("top level must be a mapping", () =>
    expectError("- a\n", "compose.yaml:1:1: error: top-level object must be a mapping [yaml-top-level]"));
  test("syntax errors carry line and column", () => expect(() => parse("a: [1, 2\n")).toThrow(CompileError));
  test("a merged sequence that holds an alias to itself is compose-go's cycle, not a stack overflow", () =>
    expectError(
      "x:\n  <<: &a1\n    - *a1\n",
      "compose.yaml:3:7: error: cycle detected: node at path x.0.0 references node at path x.0 [yaml-alias-cycle]",
    ));
  test("merging a scalar is an error", () =>
    expectError(
      "a: &a 1\nb:\n  <<: *a\n",
      "compose.yaml:3:7: error: map merge requires map or sequence of maps as the value [yaml-merge]",
    ));
  test("an alias bomb is refused", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 8; i++)
      lines.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill("*" + String.fromCharCode(97 + i))
          .join(", ")}]`,
      );
    expect(() => parse(lines.join("\n") + "\n")).toThrow(
      "failed to parse /p/compose.yaml: document contains excessive aliasing",
    );
  });
  test("more than 100,000 written nodes are refused, as compose-go's visit limit does", () => {
    const half = Array.from({ length: 50_001 }, (_, i) => `  k${i}: v`).join("\n");
    expect(() => parse(`x-a:\n${half}\nx-b:\n${half}\n`)).toThrow(
      "compose file exceeds maximum node visit limit (100000)",
    );
  });
  // Was: refused with the visit limit, because every use of the anchor counted all of its nodes again.
  test("an anchor of 100 nodes used by 2,000 services is counted once", () => {
    const anchor = Array.from({ length: 50 }, (_, i) => `    A${i}: v`).join("\n");
    const services = Array.from(
      { length: 2_000 },
      (_, i) => `  s${i}:\n    build:\n      context: .\n      args: *args`,
    ).join("\n");
    const [doc] = parse(`x-args: &args\n${anchor}\nservices:\n${services}\n`);
    const parsed = doc!.value as { services: Record<string, { build: { args: object } }> };
    expect(Object.keys(parsed.services)).toHaveLength(2_000);
    expect(Object.keys(parsed.services.s1999!.build.args)).toHaveLength(50);
  });
  test("one anchor merged into many services is fine (no alias-count limit)", () => {
    const services = Array.from({ length: 500 }, (_, i) => `  s${i}:\n    <<: *d`).join("\n");
    const [doc] = parse(`x-d: &d\n  build: .\nservices:\n${services}\n`);
    expect(Object.keys((doc!.value as { services: object }).services)).toHaveLength(500);
  });
});

// Was: `Missing closing "quote`. go-yaml reads a quoted scalar to its closing quote whatever the indentation.
describe("quoted scalars with under-indented continuation lines, as go-yaml reads them", () => {
  test.each([
    ["at column 0", 'a:\n  b: "one\ntwo"\n  c: x\n', { a: { b: "one two", c: "x" } }],
    ["at the key's column", 'a:\n  b: "one\n  two\n  three"\n  c: x\n', { a: { b: "one two three", c: "x" } }],
    ["single quotes with ''", "a:\n  b: 'it''s\nfine'\n", { a: { b: "it's fine" } }],
    ["escaped quotes before the break", 'a:\n  b: "say \\"hi\\"\nthere"\n', { a: { b: 'say "hi" there' } }],
    ["a blank line", 'a:\n  b: "one\n\ntwo"\n', { a: { b: "one\ntwo" } }],
    ["in a sequence", 'a:\n  - "one\ntwo"\n  - x\n', { a: ["one two", "x"] }],
    ["two scalars", 'a:\n  b: "one\ntwo"\n  c: "three\nfour"\n', { a: { b: "one two", c: "three four" } }],
  ])("%s", (_name, text, expected) => expectValue(text, expected));

  test("positions after a mended scalar are the file's own", () => {
    const [doc] = parse('a:\n  b: "one\ntwo"\n  c: x\n');
    const pos = doc!.positions.get("a.c")!;
    expect(pos.file.lineCol(pos.offset!)).toEqual({ line: 4, column: 6 });
  });

  test("an error after a mended scalar points into the file's own text", () =>
    expectError(
      'a:\n  b: "one\ntwo"\n  b: x\n',
      'compose.yaml:4:3: error: failed to parse /p/compose.yaml: line 4: mapping key "b" already defined at line 2 [yaml-duplicate-key]',
    ));

  test("a quote that never closes is still an error", () =>
    expect(() => parse('a:\n  b: "one\ntwo\n')).toThrow(CompileError));
});
