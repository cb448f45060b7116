/** goQuote (src/compose/go-format.ts): Go's strconv.Quote for the characters a Compose file can hold. */
import fc from "fast-check";
import { goQuote } from "../../src/compose/go-format";

/** strconv.Quote written out character by character, as Go's documentation gives it: the reference. */
function quoteByCharacter(s: string): string {
  const named: Record<number, string> = { 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r" };
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (named[c] !== undefined) out += named[c];
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + '"';
}

test("escapes quotes, backslashes and control characters as Go does", () => {
  expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
  expect(goQuote("\x07\b\t\n\v\f\r")).toBe('"\\a\\b\\t\\n\\v\\f\\r"');
  expect(goQuote("\x00\x1b\x7f é日本")).toBe('"\\x00\\x1b\\x7f é日本"');
  expect(goQuote("")).toBe('""');
});

test("equals the character-by-character reference on any string", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (s) => goQuote(s) === quoteByCharacter(s)),
    { numRuns: 2000 },
  );
});

test("a 40,000-digit size (issue #12's refused shm_size) is quoted whole", () => {
  const digits = "1".repeat(40_000);
  expect(goQuote(digits)).toBe(`"${digits}"`);
});
