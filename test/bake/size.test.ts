/**
 * checkOutputSize counts every place a bake file holds text: a model over the cap anywhere is refused, one just
 * under it is not. One string is shared by every value, so the models cost little memory; the JSON emitter,
 * which counts for itself, is held to the same cap.
 */
import { MAX_OUTPUT_CHARS, checkOutputSize } from "../../src/bake/size";
import { emitJson, emitJsonByStringify } from "../../src/bake/json";
import type { BakeFile, BakeTarget } from "../../src/bake/model";

const MIB = "x".repeat(1 << 20);
const COPIES = Math.ceil(MAX_OUTPUT_CHARS / MIB.length) + 1;
const many = <T>(f: (i: number) => T): T[] => Array.from({ length: COPIES }, (_, i) => f(i));

const file = (parts: Partial<BakeFile>): BakeFile => ({ variable: {}, group: {}, target: {}, ...parts });
const targets = (f: (i: number) => BakeTarget): BakeFile =>
  file({ target: Object.fromEntries(many((i) => [`t${i}`, f(i)])) });

const TOO_LARGE = `the bake file would be larger than ${MAX_OUTPUT_CHARS} characters`;

describe("checkOutputSize", () => {
  test.each<[string, BakeFile]>([
    ["a list", file({ target: { t: { tags: many(() => MIB) } } })],
    ["a map's values", file({ target: { t: { args: Object.fromEntries(many((i) => [`k${i}`, MIB])) } } })],
    ["a map's keys", file({ target: { t: { labels: Object.fromEntries(many((i) => [`${i}${MIB}`, ""])) } } })],
    ["a string attribute", targets(() => ({ context: MIB }))],
    ["a template's literal parts", targets(() => ({ dockerfile: { template: [MIB, { expr: "X" }] } }))],
    ["a template's expressions", targets(() => ({ "shm-size": { template: [{ expr: MIB }] } }))],
    ["a map written as an expression", targets(() => ({ "extra-hosts": { template: [{ expr: MIB }] } }))],
    ["a kept boolean", targets(() => ({ pull: { template: [{ expr: MIB }] } }))],
    ["variable defaults", file({ variable: Object.fromEntries(many((i) => [`V${i}`, { default: MIB }])) })],
    ["variable descriptions", file({ variable: Object.fromEntries(many((i) => [`V${i}`, { description: MIB }])) })],
    [
      "validation messages",
      file({ variable: { V: { validation: many(() => ({ condition: "true", error_message: MIB })) } } }),
    ],
    [
      "validation conditions",
      file({ variable: { V: { validation: many(() => ({ condition: MIB, error_message: "" })) } } }),
    ],
    ["group targets", file({ group: { default: { targets: many(() => MIB) } } })],
    [
      "group descriptions",
      file({ group: Object.fromEntries(many((i) => [`g${i}`, { targets: [], description: MIB }])) }),
    ],
  ])("counts %s", (_, model) => {
    expect(() => checkOutputSize(model)).toThrow(TOO_LARGE);
  });

  test("a file just under the cap passes", () => {
    const under = Array.from({ length: MAX_OUTPUT_CHARS / MIB.length - 1 }, () => MIB);
    expect(() => checkOutputSize(file({ target: { t: { tags: under } } }))).not.toThrow();
  });
});

describe("the JSON emitter's own count", () => {
  // emitJson counts the strings it writes when it writes through JSON.stringify (json.ts) instead of calling
  // checkOutputSize: values under 64 KiB each, so that it takes that path, over the cap together.
  const piece = "y".repeat(60_000);
  const over = Array.from({ length: Math.ceil(MAX_OUTPUT_CHARS / piece.length) + 1 }, () => piece);

  test.each<[string, BakeFile]>([
    ["list items", file({ target: { t: { tags: over } } })],
    ["map keys", file({ target: { t: { labels: Object.fromEntries(over.map((p, i) => [`${p}${i}`, ""])) } } })],
    ["target names", file({ target: Object.fromEntries(over.map((p, i) => [`${p}${i}`, { context: "." }])) })],
    ["variable defaults", file({ variable: Object.fromEntries(over.map((p, i) => [`V${i}`, { default: p }])) })],
  ])("refuses %s over the cap", (_, model) => {
    expect(() => emitJsonByStringify(model)).toThrow(TOO_LARGE);
    expect(() => emitJson(model)).toThrow(TOO_LARGE);
  });

  test("writes a file just under the cap", () => {
    const under = over.slice(0, Math.floor(MAX_OUTPUT_CHARS / piece.length) - 1);
    expect(emitJsonByStringify(file({ target: { t: { tags: under } } }))).toContain(piece);
  });
});
