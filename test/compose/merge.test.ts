import { canonicalizeSsh, deletePaths, mergeDocuments } from "../../src/compose/merge";
import type { PlainMap } from "../../src/compose/yaml";

function merged(base: unknown, override: unknown): unknown {
  return JSON.parse(JSON.stringify(mergeDocuments(base as PlainMap, override as PlainMap, () => undefined)));
}
const build = (b: unknown) => ({ services: { web: { build: b } } });

describe("merging compose files like compose-go", () => {
  test("mappings merge by key, scalars replaced", () =>
    expect(merged(build({ context: ".", target: "a" }), build({ target: "b" }))).toEqual(
      build({ context: ".", target: "b" }),
    ));
  test("short build string merges with the mapping form", () =>
    expect(merged(build({ context: ".", target: "x" }), build("./o"))).toEqual(build({ context: "./o", target: "x" })));
  test("args: mapping and list merge by key", () =>
    expect(merged(build({ args: { A: 1, B: 2 } }), build({ args: ["A=3", "C"] }))).toEqual(
      build({ args: ["A=3", "B=2", "C"] }),
    ));
  test("labels: null values become bare keys", () =>
    expect(merged(build({ labels: { b: null, a: "x" } }), build({ labels: { c: "1" } }))).toEqual(
      build({ labels: ["a=x", "b", "c=1"] }),
    ));
  test("cache_from is appended without de-duplication", () =>
    expect(merged(build({ cache_from: ["a"] }), build({ cache_from: ["a", "b"] }))).toEqual(
      build({ cache_from: ["a", "a", "b"] }),
    ));
  test("tags are de-duplicated", () =>
    expect(merged(build({ tags: ["t1"] }), build({ tags: ["t1", "t2"] }))).toEqual(build({ tags: ["t1", "t2"] })));
  test("extra_hosts: equal items dropped, other IPs kept", () =>
    expect(
      merged(build({ extra_hosts: ["a=1.1.1.1"] }), build({ extra_hosts: { a: ["1.1.1.1", "2.2.2.2"] } })),
    ).toEqual(build({ extra_hosts: ["a=1.1.1.1", "a=2.2.2.2"] })));
  test("secrets are appended", () =>
    expect(merged(build({ secrets: ["a"] }), build({ secrets: [{ source: "a", target: "b" }] }))).toEqual(
      build({ secrets: ["a", { source: "a", target: "b" }] }),
    ));
  test("ssh merges by id", () =>
    expect(merged(build({ ssh: { default: null, k: "./a" } }), build({ ssh: { k: "./b" } }))).toEqual(
      build({ ssh: { default: null, k: "./b" } }),
    ));
  test("ssh: two lists (same-document extends) are appended", () =>
    expect(merged(build({ ssh: ["default"] }), build({ ssh: ["k=./b"] }))).toEqual(
      build({ ssh: ["default", "k=./b"] }),
    ));
  test("canonicalizeSsh turns ssh lists into mappings", () => {
    const m = build({ ssh: ["default", "k=./a", "k=./b"] }) as unknown as PlainMap;
    canonicalizeSsh(m);
    expect(JSON.parse(JSON.stringify(m))).toEqual(build({ ssh: { default: null, k: "./b" } }));
  });
  test("ssh: a list over the (canonical) ssh of an earlier file is an error", () =>
    expect(() => merged(build({ ssh: { k: "./a" } }), build({ ssh: ["j=./b"] }))).toThrow(
      "cannot override services.web.build.ssh",
    ));
  test("depends_on: a list and a mapping merge as mappings", () =>
    expect(
      merged(
        { services: { a: { depends_on: ["db"] } } },
        { services: { a: { depends_on: { cache: { condition: "service_healthy" } } } } },
      ),
    ).toEqual({
      services: {
        a: {
          depends_on: { db: { condition: "service_started", required: true }, cache: { condition: "service_healthy" } },
        },
      },
    }));
  test("profiles are unique", () =>
    expect(merged({ services: { a: { profiles: ["x"] } } }, { services: { a: { profiles: ["x", "y"] } } })).toEqual({
      services: { a: { profiles: ["x", "y"] } },
    }));
  test("a shape mismatch inside build is an error", () =>
    expect(() => merged(build({ args: { A: 1 }, cache_from: ["a"] }), build({ cache_from: { a: 1 } }))).toThrow(
      "cannot override services.web.build.cache_from",
    ));
  test("a shape mismatch outside build: the later value wins", () =>
    expect(merged({ services: { a: { command: ["x"] } } }, { services: { a: { command: { x: 1 } } } })).toEqual({
      services: { a: { command: { x: 1 } } },
    }));
  test("new services and secrets are added", () =>
    expect(merged({ services: { a: {} } }, { services: { b: {} }, secrets: { s: { file: "x" } } })).toEqual({
      services: { a: {}, b: {} },
      secrets: { s: { file: "x" } },
    }));
  test("deletePaths removes keys, including keys with dots", () => {
    const m = { services: { "a.b": { build: { context: "." }, image: "x" } } } as unknown as PlainMap;
    deletePaths(m, [
      ["services", "a.b", "build"],
      ["services", "missing", "build"],
    ]);
    expect(m).toEqual({ services: { "a.b": { image: "x" } } });
  });
});
