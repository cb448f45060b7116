/**
 * The null-prototype maps every user-keyed table is made of (src/dict.ts): a key such as `__proto__`,
 * `constructor` or `toString` is an ordinary own entry, whichever helper made the map.
 */
import { dict, dictCopy, emptyDict, own } from "../src/dict";

const AWKWARD = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "0", "x-y", ""];

describe.each([
  ["emptyDict", () => emptyDict<Record<string, unknown>>()],
  ["dict", () => dict<unknown>()],
  ["dictCopy", () => dictCopy<unknown>({})],
])("%s", (_name, make) => {
  test("has no prototype and inherits nothing", () => {
    const d = make();
    expect(Object.getPrototypeOf(d)).toBeNull();
    for (const key of AWKWARD) {
      expect(key in d).toBe(false);
      expect(d[key]).toBeUndefined();
    }
  });

  test("keeps awkward keys as own entries, in insertion order (integer-like keys first, as for any object)", () => {
    const d = make();
    AWKWARD.forEach((key, i) => (d[key] = i));
    expect(Object.getPrototypeOf(d)).toBeNull();
    expect(Object.keys(d)).toEqual(["0", ...AWKWARD.filter((k) => k !== "0")]);
    AWKWARD.forEach((key, i) => expect(own(d, key)).toBe(i));
    // Copies through Object.assign (as the interpolation and merge passes make them) keep them too.
    const copy = Object.assign(emptyDict<Record<string, unknown>>(), d);
    expect(Object.getPrototypeOf(copy)).toBeNull();
    expect(Object.entries(copy)).toEqual(Object.entries(d));
  });
});

test("dictCopy copies own entries only, and each map is a new object", () => {
  const source = Object.assign(Object.create({ inherited: 1 }) as Record<string, number>, { a: 1, b: 2 });
  const copy = dictCopy(source);
  expect(Object.entries(copy)).toEqual([
    ["a", 1],
    ["b", 2],
  ]);
  expect(emptyDict()).not.toBe(emptyDict());
});
