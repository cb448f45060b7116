/**
 * One-line cases for the emitters' string helpers, plus round trips through HashiCorp's HCL parser
 * (@cdktf/hcl2json) for the escaping rules that are easy to get wrong (`$${` already in the text, `$` before an
 * interpolation, backslashes next to `${`).
 */

import type { BakeString } from "../../src/bake/model";
import { TARGET_ATTRIBUTE_ORDER } from "../../src/bake/model";
import {
  TARGET_ATTRIBUTE_KINDS,
  compareCodeUnits,
  escapeTemplateText,
  hclKey,
  hclString,
  hclStringFromSegments,
  isHclIdentifier,
  jsonTemplateFromSegments,
  jsonTemplateString,
  sortedKeys,
  templateSegments,
} from "../../src/bake/escape";
import { hclToBakeJson, literalFromTemplate } from "../support/hcl";
import fc from "fast-check";

const t = (...parts: Array<string | { expr: string }>): BakeString => ({ template: parts });

function expectTemplateText(input: string, expected: string) {
  expect(escapeTemplateText(input)).toBe(expected);
}
function expectJson(input: BakeString, expected: string) {
  expect(jsonTemplateString(input)).toBe(expected);
}
function expectHcl(input: BakeString, expected: string) {
  expect(hclString(input)).toBe(expected);
}
function expectKey(input: string, expected: string) {
  expect(hclKey(input)).toBe(expected);
}

describe("escapeTemplateText", () => {
  test("escapes ${ as $${", () => expectTemplateText("a ${B} c", "a $${B} c"));
  test("escapes %{ as %%{", () => expectTemplateText("%{if x}", "%%{if x}"));
  test("escapes every occurrence", () => expectTemplateText("${a}${b}%{c}", "$${a}$${b}%%{c}"));
  test("escapes an already escaped $${ once more", () => expectTemplateText("$${x}", "$$${x}"));
  test("escapes an already escaped %%{ once more", () => expectTemplateText("%%{x}", "%%%{x}"));
  test("keeps $$ without a brace", () => expectTemplateText("a$$b", "a$$b"));
  test("keeps a lone $ and %", () => expectTemplateText("$ % $a %b", "$ % $a %b"));
  test("keeps a trailing $", () => expectTemplateText("cost: 5$", "cost: 5$"));
  test("keeps $VAR without braces (bake does not interpolate it)", () => expectTemplateText("$HOME", "$HOME"));
  test("keeps { without a sigil", () => expectTemplateText("{a} }", "{a} }"));
  test("escapes the brace after a backslash", () => expectTemplateText("\\${x}", "\\$${x}"));
  test("escapes $%{ and %${", () => expectTemplateText("$%{ %${", "$%%{ %$${"));
  test("leaves the empty string", () => expectTemplateText("", ""));
});

describe("jsonTemplateString", () => {
  test("escapes a literal string", () => expectJson("echo ${HOME}", "echo $${HOME}"));
  test("writes an expression as ${expr}", () => expectJson(t("app:", { expr: "TAG" }), "app:${TAG}"));
  test("writes expressions unescaped", () => expectJson(t({ expr: 'upper("${x}")' }), '${upper("${x}")}'));
  test("escapes literal parts of a template", () => expectJson(t("${a}:", { expr: "TAG" }), "$${a}:${TAG}"));
  test("joins literal parts before escaping", () => expectJson(t("$", "{x}"), "$${x}"));
  test("moves a $ before an expression into a string", () => expectJson(t("$", { expr: "X" }), '${"$"}${X}'));
  test("moves a run of $ before an expression", () => expectJson(t("a$$", { expr: "X" }), 'a${"$$"}${X}'));
  test("keeps a % before an expression", () => expectJson(t("%", { expr: "X" }), "%${X}"));
  test("keeps adjacent expressions", () => expectJson(t({ expr: "A" }, { expr: "B" }), "${A}${B}"));
  test("writes the empty template as an empty string", () => expectJson(t(), ""));
  test("keeps newlines and CRLF as they are", () => expectJson("a\nb\r\nc", "a\nb\r\nc"));
  test("writes a lone CR as an interpolated string", () => expectJson("a\rb", 'a${"\\r"}b'));
  test("writes a lone CR before an expression", () => expectJson(t("a\r", { expr: "X" }), 'a${"\\r"}${X}'));
  test("writes CR CR LF as a lone CR and a CRLF", () => expectJson("\r\r\n", '${"\\r"}\r\n'));
  test("keeps unicode as is", () => expectJson("é 日本 🐳", "é 日本 🐳"));
  // bake drops a U+FEFF that starts a JSON string (checked with buildx 0.29.1 in test/hostile/scanners.test.ts).
  test("writes a leading U+FEFF as an interpolated string", () => expectJson("\ufeffabc", '${"\\ufeff"}abc'));
  test("writes a U+FEFF alone as an interpolated string", () => expectJson("\ufeff", '${"\\ufeff"}'));
  test("keeps a U+FEFF that does not start the string", () => expectJson(t({ expr: "X" }, "\ufeffa"), "${X}\ufeffa"));
  test("keeps a U+FEFF in HCL as is", () => expectHcl("\ufeffabc", '"\ufeffabc"'));
});

describe("hclString", () => {
  test("quotes a plain string", () => expectHcl("abc", '"abc"'));
  test("writes the empty string", () => expectHcl("", '""'));
  test("escapes double quotes", () => expectHcl('say "hi"', '"say \\"hi\\""'));
  test("escapes backslashes", () => expectHcl("C:\\dir\\", '"C:\\\\dir\\\\"'));
  test("escapes newline, CR and tab", () => expectHcl("a\nb\r\nc\td", '"a\\nb\\r\\nc\\td"'));
  test("writes a lone CR as \\r", () => expectHcl("a\rb", '"a\\rb"'));
  test("writes other control characters as \\uXXXX", () =>
    expectHcl("\u0000\u0001\u001b\u007f\u0085", '"\\u0000\\u0001\\u001b\\u007f\\u0085"'));
  test("keeps unicode as is", () => expectHcl("é 日本 🐳 \u2028", '"é 日本 🐳 \u2028"'));
  test("escapes template sequences", () => expectHcl("${a} %{b} $${c}", '"$${a} %%{b} $$${c}"'));
  test("escapes a backslash before ${ as two escapes", () => expectHcl("\\${x}", '"\\\\$${x}"'));
  test("writes an expression as ${expr}", () => expectHcl(t("app:", { expr: "TAG" }), '"app:${TAG}"'));
  test("does not quote-escape an expression", () => expectHcl(t({ expr: 'upper("a")' }), '"${upper("a")}"'));
  test("quote-escapes literal parts of a template", () => expectHcl(t('"', { expr: "X" }, "\n"), '"\\"${X}\\n"'));
  test("moves a $ before an expression into a string", () => expectHcl(t("$", { expr: "X" }), '"${"$"}${X}"'));
});

describe("plain strings", () => {
  // jsonTemplateString and hclString return plain text (a string, a template of literal parts) without splitting
  // it into segments when nothing in it needs escaping; the segment-by-segment path must give the same text.
  const text = fc.string({
    unit: fc.constantFrom("a", "$", "%", "{", "}", "\r", "\n", '"', "\\", "\ufeff", "\u0000", "\u007f", "\u0085", "é"),
    maxLength: 12,
  });
  const value = fc.oneof(
    text,
    fc.array(text, { maxLength: 3 }).map((parts) => t(...parts)),
  );
  test("are written as segment by segment", () =>
    fc.assert(
      fc.property(value, (s) => {
        expect(jsonTemplateString(s)).toBe(jsonTemplateFromSegments(s));
        expect(hclString(s)).toBe(hclStringFromSegments(s));
      }),
      { numRuns: 3000 },
    ));
});

describe("hclKey", () => {
  test("writes an identifier bare", () => expectKey("NODE_ENV", "NODE_ENV"));
  test("writes an identifier with dashes bare", () => expectKey("cache-from", "cache-from"));
  test("writes a leading underscore bare", () => expectKey("_x1", "_x1"));
  test("quotes a key with a dot", () =>
    expectKey("org.opencontainers.image.title", '"org.opencontainers.image.title"'));
  test("quotes a key starting with a digit", () => expectKey("1x", '"1x"'));
  test("quotes a key starting with a dash", () => expectKey("-x", '"-x"'));
  test("quotes the empty key", () => expectKey("", '""'));
  test("quotes a key with spaces", () => expectKey("a b", '"a b"'));
  test("quotes a non-ASCII key", () => expectKey("clé", '"clé"'));
  test("quotes `for` (it would start a for expression)", () => expectKey("for", '"for"'));
  test("quotes true, false and null", () =>
    expect(["true", "false", "null"].map(hclKey)).toEqual(['"true"', '"false"', '"null"']));
  test("escapes a template sequence in a key", () => expectKey("k${x}", '"k$${x}"'));
  test("escapes quotes in a key", () => expectKey('a"b', '"a\\"b"'));
  test("isHclIdentifier agrees with hclKey", () =>
    expect(["a", "a.b", "for"].map(isHclIdentifier)).toEqual([true, false, false]));
});

describe("ordering", () => {
  test("compares by code unit, not locale", () =>
    expect(["b", "B", "a", "_", "10", "9", "é"].sort(compareCodeUnits)).toEqual(["10", "9", "B", "_", "a", "b", "é"]));
  test("sortedKeys sorts integer-like keys as strings", () =>
    expect(sortedKeys({ b: 1, 10: 1, 9: 1, a: 1 })).toEqual(["10", "9", "a", "b"]));
});

describe("TARGET_ATTRIBUTE_KINDS", () => {
  test("has exactly the attributes of TARGET_ATTRIBUTE_ORDER", () =>
    expect(Object.keys(TARGET_ATTRIBUTE_KINDS).sort()).toEqual([...TARGET_ATTRIBUTE_ORDER].sort()));
  test("has no duplicate in TARGET_ATTRIBUTE_ORDER", () =>
    expect(new Set(TARGET_ATTRIBUTE_ORDER).size).toBe(TARGET_ATTRIBUTE_ORDER.length));
});

describe("templateSegments", () => {
  test("drops empty literals", () => expect(templateSegments(t("", { expr: "A" }, ""))).toEqual([{ expr: "A" }]));
  test("gives nothing for the empty string", () => expect(templateSegments("")).toEqual([]));
  test("moves only the run of $ that ends the literal", () =>
    expect(templateSegments(t("a$b$$", { expr: "X" }))).toEqual([{ text: "a$b" }, { expr: '"$$"' }, { expr: "X" }]));
  test("a literal of only $ becomes one expression", () =>
    expect(templateSegments(t("$$$", { expr: "X" }))).toEqual([{ expr: '"$$$"' }, { expr: "X" }]));
  test("a long run of $ that does not end the literal is scanned in linear time (was /\\$+$/, quadratic)", () => {
    const run = "$".repeat(1_000_000);
    // Quadratic, this took hours; it must take well under jest's timeout.
    expect(templateSegments(t(run + "x", { expr: "X" }))).toEqual([{ text: run + "x" }, { expr: "X" }]);
  });
});

/** Reads `context = <hclString(value)>` back with the Go HCL parser and returns the string it holds. */
async function parsedBack(value: BakeString): Promise<string> {
  const json = (await hclToBakeJson(`target "t" {\n  context = ${hclString(value)}\n}\n`)) as {
    target: { t: { context: string } };
  };
  return json.target.t.context;
}

describe("round trip through the HCL parser", () => {
  const literals = [
    "plain",
    "${HOME}",
    "%{ if x }",
    "$${already}",
    "$$${twice}",
    "%%{already}",
    "$$",
    "$",
    "end$",
    "a$b",
    "\\${x}",
    "\\$${x}",
    '"${x}"',
    "line1\nline2\r\nline3\rtab\there",
    "\u0001\u007f\u0085",
    "é 日本 🐳",
    "RUN echo ${FOO:-bar} && echo $${BAZ} %{x} %%{y}",
  ];
  test.each(literals)("reads back the literal %j", async (s) => {
    expect(literalFromTemplate(await parsedBack(s))).toBe(s);
  });

  test("reads back a template with its expression", async () => {
    expect(await parsedBack(t("${lit}:", { expr: "TAG" }, "-$${x}"))).toBe("$${lit}:${TAG}-$$${x}");
  });

  test("reads an escaped map key back", async () => {
    const json = await hclToBakeJson(
      `target "t" {\n  args = {\n    ${hclKey("k${x}")} = "v"\n    ${hclKey("for")} = "w"\n  }\n}\n`,
    );
    expect(json).toEqual({ target: { t: { args: { "k$${x}": "v", for: "w" } } } });
  });
});
