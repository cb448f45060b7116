/**
 * Property: the cheap character scan that lets small files skip the lexer's node count (src/compose/yaml/limits.ts)
 * never counts fewer nodes than the lexer does, so skipping the lexer can never let a file past the limit.
 */
import fc from "fast-check";
import { SourceFile } from "../../src/diagnostics";
import { lexerNodeCount, nodeCountBound } from "../../src/compose/yaml";
import { RUNS } from "./support";

/** YAML-shaped text: indicators, quotes, anchors, block scalars and documents in any order. */
const PIECES = [
  "a",
  "bc",
  " ",
  "  ",
  "\n",
  "\t",
  ",",
  ":",
  ": ",
  "- ",
  "[",
  "]",
  "{",
  "}",
  '"',
  "'",
  '"x"',
  "'y'",
  "*a",
  "&a ",
  "!t ",
  "|\n  z",
  ">-\n  z",
  "---\n",
  "...\n",
  "#c\n",
  "? ",
  "<<: ",
  "${X}",
  "\r\n",
];

test("nodeCountBound is never below the lexer's count", () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 200 }), (pieces) => {
      const text = pieces.join("");
      const counted = lexerNodeCount(new SourceFile("/p/compose.yaml", text), Infinity).nodes;
      expect(nodeCountBound(text)).toBeGreaterThanOrEqual(counted);
    }),
    { numRuns: RUNS * 20 },
  );
});

test("nodeCountBound is at most one more than the text's length, so checkSize skips shorter files unscanned", () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 200 }), (pieces) => {
      const text = pieces.join("");
      expect(nodeCountBound(text)).toBeLessThanOrEqual(text.length + 1);
    }),
    { numRuns: RUNS * 20 },
  );
  expect(nodeCountBound(",".repeat(1000))).toBe(1001);
});

test.each([
  ["JSON-style keys", '{"a":b,"c":d}'],
  ["a flow sequence", "[a,b,c]"],
  ["aliases", "x: [*a,*a,*a]"],
  ["documents", "---\n---\n---\n"],
])("%s", (_name, text) => {
  expect(nodeCountBound(text)).toBeGreaterThanOrEqual(
    lexerNodeCount(new SourceFile("/p/compose.yaml", text), Infinity).nodes,
  );
});
