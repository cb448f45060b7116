/**
 * Property (issue #7 part 4b): random mutations of the example compose files (byte flips, deletions,
 * duplications, truncation, inserted `${`, tabs, …) never crash the library: compose2bake() either returns a
 * result or throws a CompileError whose diagnostics each have a message and a code, and an offset inside the
 * file whenever the problem is in the YAML text itself. Run in-process for speed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { CompileError, compose2bake, formatDiagnostic } from "../../src/index";
import { REPO, fixedEnv } from "../support/run";
import { RUNS, copyDir, tempDir } from "./support";

type Mutation =
  | { kind: "flip"; at: number; bits: number }
  | { kind: "delete"; at: number; length: number }
  | { kind: "duplicate"; at: number; length: number; to: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; text: string };

const INSERTS = [
  "${",
  "$${",
  "${X",
  "${X:?boom}",
  "${X:-${Y:-",
  "%{",
  "\t",
  "\t\t",
  "  ",
  "\n",
  "\r",
  "\r\n",
  "- ",
  ": ",
  "&a ",
  "*a",
  "<<: *a\n",
  "!reset ",
  "!override ",
  "---\n",
  "...\n",
  "[",
  "{",
  "]",
  "}",
  '"',
  "'",
  "#",
  "|",
  ">",
  "? ",
  "\u0000",
  "\ufeff",
  "\u00e9",
  "\ud83d\ude00",
  "\ud800",
  "~",
  "!!binary ",
  "%YAML 1.1\n",
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant("duplicate" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 80 }),
    to: fc.nat(),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.constantFrom(...INSERTS) }),
);

function apply(bytes: Buffer, m: Mutation): Buffer {
  const n = bytes.length;
  const at = n === 0 ? 0 : m.at % (n + 1);
  switch (m.kind) {
    case "flip": {
      if (n === 0) return bytes;
      const out = Buffer.from(bytes);
      out[at % n] = out[at % n]! ^ m.bits;
      return out;
    }
    case "delete":
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    case "duplicate": {
      const piece = bytes.subarray(at, at + m.length);
      const to = m.to % (n + 1);
      return Buffer.concat([bytes.subarray(0, to), piece, bytes.subarray(to)]);
    }
    case "truncate":
      return bytes.subarray(0, at);
    case "insert":
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.text, "utf8"), bytes.subarray(at)]);
  }
}

/** Codes of problems found in the YAML text itself: these must point at an offset. */
const TEXT_CODES =
  /^yaml-(syntax|encoding|control-character|duplicate-key|too-deep|non-string-key|unknown-anchor|merge)$/;

describe("property: mutated examples never crash", () => {
  const examples = fs.readdirSync(path.join(REPO, "examples")).sort();
  // One private copy of each example: mutated files are written over its compose.yaml.
  const copies = new Map(
    examples.map((name) => {
      const dir = path.join(tempDir("c2b-prop-mutation-"), name);
      copyDir(path.join(REPO, "examples", name), dir);
      return [name, { dir, original: fs.readFileSync(path.join(dir, "compose.yaml")) }];
    }),
  );

  test("random mutations of examples/*/compose.yaml: a result or a CompileError with usable diagnostics", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...examples),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.constantFrom("keep" as const, "resolve" as const),
        fc.constantFrom("json" as const, "hcl" as const),
        (name, mutations, variables, format) => {
          const { dir, original } = copies.get(name)!;
          const mutated = mutations.reduce(apply, original);
          fs.writeFileSync(path.join(dir, "compose.yaml"), mutated);
          try {
            const result = compose2bake({ cwd: dir, env: fixedEnv({ TAG: "1.0", APP_ENV: "ci" }), variables, format });
            expect(typeof result.text).toBe("string");
            for (const d of result.diagnostics) checkDiagnostic(d, dir);
          } catch (e) {
            if (!(e instanceof CompileError))
              throw new Error(`not a CompileError: ${(e as Error)?.stack ?? String(e)}`, { cause: e });
            expect(e.diagnostics.length).toBeGreaterThan(0);
            for (const d of e.diagnostics) checkDiagnostic(d, dir);
          }
        },
      ),
      { numRuns: RUNS },
    );
  }, 60_000);
});

function checkDiagnostic(d: CompileError["diagnostics"][number], dir: string): void {
  expect(d.message.trim()).not.toBe("");
  expect(d.code).toMatch(/^[a-z][a-z0-9-]*$/);
  if (TEXT_CODES.test(d.code)) {
    const where = `${d.code}: ${d.message}`;
    expect({ where, offset: typeof d.pos?.offset }).toEqual({ where, offset: "number" });
  }
  if (d.pos?.offset !== undefined) {
    expect(d.pos.offset).toBeGreaterThanOrEqual(0);
    expect(d.pos.offset).toBeLessThanOrEqual(d.pos.file.text.length);
  }
  const line = formatDiagnostic(d, dir);
  expect(line).not.toContain("\n");
  expect(line).toMatch(/^(\S[^\n]*: )?(error|warning): /);
}
