/**
 * Property: the YAML layer's CST path (src/compose/yaml/cst.ts) gives what the `yaml` package's Document path
 * gives — the same values, the same position for every path, the same `!reset` / `!override` paths, or the same
 * first error — on random Compose-shaped documents (well-formed and mutated) and on every YAML file of the
 * fixtures, examples, loading scenarios and keep-mode cases.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { inBuildStringMap } from "../../src/compose/build-string-map";
import { streamFromCst } from "../../src/compose/yaml/cst";
import { parseComposeYaml } from "../../src/compose/yaml";
import { CompileError, SourceFile, formatDiagnostic } from "../../src/diagnostics";
import { RUNS } from "./support";

/** Everything a parse path hands on, as text (NaN, infinities and -0 spelled out). */
function outcome(text: string, which: "cst" | "document"): string {
  const file = new SourceFile("/p/compose.yaml", text);
  try {
    const docs = parseComposeYaml(file, { path: which, numberAsText: inBuildStringMap });
    return JSON.stringify(
      docs.map((d) => ({
        value: d.value,
        positions: [...d.positions.entries()],
        reset: d.resetPaths,
        override: d.overridePaths,
      })),
      (_k, v: unknown) =>
        typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))
          ? `number:${String(v)}${Object.is(v, -0) ? "-0" : ""}`
          : v,
    );
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return `error: ${e.diagnostics.map((d) => `${d.code} ${formatDiagnostic(d, "/p")}`).join("\n")}`;
  }
}

function expectSame(text: string): void {
  expect({ text, result: outcome(text, "cst") }).toEqual({ text, result: outcome(text, "document") });
}

const KEYS = [
  "a",
  "b",
  "web",
  "build",
  "args",
  "labels",
  "services",
  "x-base",
  "k.d",
  "'q'",
  '"k"',
  "1",
  "true",
  "null",
  "<<",
  "'<<'",
  "0755",
];
const SCALARS = [
  "v",
  "two words",
  "0755",
  "-0755",
  "0o17",
  "1_000",
  "1_0.5",
  "0b101",
  "08",
  "0x1F",
  "+12",
  "1e3",
  "1.0",
  "0.0001",
  ".5",
  "-.5",
  ".inf",
  "-.Inf",
  ".nan",
  "1e1000",
  "12345678901234567890",
  "true",
  "False",
  "yes",
  "no",
  "~",
  "null",
  "NULL",
  "",
  "2024-01-01",
  '"0755"',
  "'it''s'",
  '"tab\\there"',
  '"\\u00e9"',
  '"${X}"',
  "$${Y}",
  "a:b",
  "a #not",
  "'multi\n   line'",
  "x=1,y=2",
  "@bad",
  "`bad",
  '"bad \\q"',
  "'open",
  "%x",
  "!!str 0755",
  "!!int 10",
  "!reset",
  "!override 5",
  "!reset x",
  "&s v",
  "*a1",
  "*nope",
  "[]",
  "{}",
];
const PIECES = [
  "\t",
  " ",
  "  ",
  "\n",
  ":",
  ": ",
  "- ",
  "[",
  "]",
  "{",
  "}",
  ",",
  "#c",
  " #c",
  "&a1 ",
  "*a1",
  "!reset ",
  "? ",
  "---\n",
  "...\n",
  '"',
  "'",
  "|",
  "%YAML 1.2\n",
];

interface Spec {
  readonly kind: "scalar" | "map" | "seq" | "flowseq" | "flowmap" | "block" | "alias";
  readonly text?: string;
  readonly entries?: ReadonlyArray<readonly [string, Spec]>;
  readonly items?: readonly Spec[];
  readonly anchor?: number;
  readonly tag?: string;
  readonly comment?: boolean;
}

const props = fc.record({
  anchor: fc.option(fc.integer({ min: 1, max: 3 }), { freq: 4, nil: undefined }),
  tag: fc.option(fc.constantFrom("!reset", "!override", "!!str", "!x"), { freq: 6, nil: undefined }),
  comment: fc.boolean(),
});

const specArb = fc.letrec<{ node: Spec }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ kind: fc.constant("scalar" as const), text: fc.constantFrom(...SCALARS) }),
    fc.record({ kind: fc.constant("alias" as const), text: fc.constantFrom("a1", "a2", "a3", "zz") }),
    fc.record({
      kind: fc.constant("block" as const),
      text: fc.constantFrom("|", "|-", ">", ">+", "|2"),
      items: fc.constant([]),
    }),
    fc.record({
      kind: fc.constant("flowseq" as const),
      items: fc.array(
        fc.record({
          kind: fc.constant("scalar" as const),
          text: fc.constantFrom(...SCALARS.slice(0, 30), "*a1", "!reset z"),
        }),
        { maxLength: 4 },
      ),
    }),
    fc.record({
      kind: fc.constant("flowmap" as const),
      entries: fc.array(
        fc.tuple(
          fc.constantFrom(...KEYS),
          fc.record({ kind: fc.constant("scalar" as const), text: fc.constantFrom(...SCALARS.slice(0, 30)) }),
        ),
        { maxLength: 3 },
      ),
    }),
    fc
      .tuple(
        fc.record({
          kind: fc.constant("map" as const),
          entries: fc.array(fc.tuple(fc.constantFrom(...KEYS), tie("node")), { minLength: 1, maxLength: 4 }),
        }),
        props,
      )
      .map(([s, p]) => ({ ...s, ...p })),
    fc
      .tuple(
        fc.record({ kind: fc.constant("seq" as const), items: fc.array(tie("node"), { minLength: 1, maxLength: 3 }) }),
        props,
      )
      .map(([s, p]) => ({ ...s, ...p })),
  ),
}));

function propsText(s: Spec): string {
  return [s.anchor ? `&a${s.anchor}` : "", s.tag ?? ""].filter(Boolean).join(" ");
}

/** Lines of `s` as the value of a key or item at `indent`; the first element goes after `key:` on its line. */
function render(s: Spec, indent: number): [string, string[]] {
  const pad = " ".repeat(indent);
  switch (s.kind) {
    case "scalar":
      return [` ${s.text}`, []];
    case "alias":
      return [` *${s.text}`, []];
    case "block":
      return [` ${s.text}`, [`${pad}  line one`, `${pad}   more`, "", `${pad}  end`]];
    case "flowseq":
      return [` [${s.items!.map((i) => i.text).join(", ")}]`, []];
    case "flowmap":
      return [` {${s.entries!.map(([k, v]) => `${k}: ${v.text}`).join(", ")}}`, []];
    case "map": {
      const head = `${propsText(s) ? ` ${propsText(s)}` : ""}${s.comment ? " # c" : ""}`;
      const lines: string[] = [];
      for (const [k, v] of s.entries!) {
        const [first, rest] = render(v, indent + 2);
        lines.push(`${pad}${k}:${first}`, ...rest);
      }
      return [head, lines];
    }
    case "seq": {
      const head = `${propsText(s) ? ` ${propsText(s)}` : ""}${s.comment ? " # c" : ""}`;
      const lines: string[] = [];
      for (const item of s.items!) {
        const [first, rest] = render(item, indent + 2);
        lines.push(`${pad}-${first}`, ...rest);
      }
      return [head, lines];
    }
  }
}

function documentText(entries: ReadonlyArray<readonly [string, Spec]>): string {
  const lines: string[] = [];
  for (const [k, v] of entries) {
    const [first, rest] = render(v, 2);
    lines.push(`${k}:${first}`, ...rest);
  }
  return lines.join("\n") + "\n";
}

const streamArb = fc
  .array(fc.array(fc.tuple(fc.constantFrom(...KEYS), specArb.node), { minLength: 1, maxLength: 4 }), {
    minLength: 1,
    maxLength: 2,
  })
  .map((docs) => docs.map(documentText).join("---\n"));

let cstTaken = 0;
let generated = 0;

test("random Compose-shaped documents: the CST path gives what the Document path gives", () => {
  fc.assert(
    fc.property(streamArb, (text) => {
      generated++;
      if (streamFromCst(text)) cstTaken++;
      expectSame(text);
    }),
    { numRuns: RUNS * 5 },
  );
  // Not vacuous: most generated streams are taken on by the CST path.
  expect(cstTaken).toBeGreaterThan(generated / 3);
});

test("mutated documents (a piece put in anywhere): the same values or the same first error", () => {
  fc.assert(
    fc.property(
      streamArb,
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(...PIECES)), { minLength: 1, maxLength: 3 }),
      (text, cuts) => {
        let t = text;
        for (const [at, piece] of cuts) {
          const i = at % (t.length + 1);
          t = t.slice(0, i) + piece + t.slice(i);
        }
        expectSame(t);
      },
    ),
    { numRuns: RUNS * 5 },
  );
});

const ROOT = path.join(__dirname, "..", "..");
function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(entry.name)) out.push(p);
  }
  return out;
}
const FILES = ["test/fixtures", "examples", "test/loading", "test/keep"]
  .filter((d) => fs.existsSync(path.join(ROOT, d)))
  .flatMap((d) => yamlFiles(path.join(ROOT, d)))
  .map((f) => path.relative(ROOT, f))
  .sort();

test("there are fixture files to compare", () => expect(FILES.length).toBeGreaterThan(300));

test.each(FILES)("%s: the CST path gives what the Document path gives, with LF and with CRLF line ends", (file) => {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  expectSame(text);
  expectSame(text.replace(/\r?\n/g, "\r\n"));
});
