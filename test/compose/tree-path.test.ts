/**
 * PathTable and its cursor: walking down one key at a time (schemaView) finds the same row as matching the whole
 * path (PathTable.get), and stops exactly where no pattern can match any more.
 */
import fc from "fast-check";
import { PathTable, TreePath, type PathCursor } from "../../src/compose/tree-path";

const KEYS = ["services", "build", "args", "a", "b", "*"];
const table = new PathTable<number>([
  ["services.*.build.args", 1],
  ["services.a.build.args", 2],
  ["services.*.build", 3],
  ["*.b", 4],
  ["networks.*.labels", 5],
  ["services.*.build.args", 6],
]);

/** Whether some pattern of the table may match `path` or a path below it, by its text. */
function mayMatchBelow(path: readonly string[]): boolean {
  const patterns = ["services.*.build.args", "services.a.build.args", "services.*.build", "*.b", "networks.*.labels"];
  return patterns.some((p) => {
    const segs = p.split(".");
    return path.length <= segs.length && path.every((k, i) => segs[i] === "*" || segs[i] === k);
  });
}

/** One root for every run of the second property: the cursors it hands out (and shares) are walked again and again. */
const sharedRoot = table.cursor();

describe("PathCursor", () => {
  test.each([
    ["a fresh cursor", () => table.cursor()],
    ["one cursor walked again and again (shared steps for keys no row names)", () => sharedRoot],
  ])("%s: a walk key by key agrees with PathTable.get and stops where no pattern can match", (_name, root) =>
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...KEYS, "networks", "labels", "c", "svc0"), { maxLength: 5 }), (keys) => {
        let cursor: PathCursor<number> | undefined = root();
        for (let i = 0; i < keys.length && cursor; i++) {
          cursor = cursor.child(keys[i]!);
          const path = keys.slice(0, i + 1);
          expect(cursor !== undefined).toBe(mayMatchBelow(path));
          if (cursor) expect(cursor.value).toBe(table.get(TreePath.of(...path)));
        }
      }),
      { numRuns: 3000 },
    ),
  );

  test("the first row in the table's order wins", () => {
    const c = table.cursor().child("services")?.child("a")?.child("build")?.child("args");
    expect(c?.value).toBe(1);
  });

  test("a cursor is reused for a key asked again, and shared by the keys no row names", () => {
    const root = table.cursor();
    expect(root.child("services")).toBe(root.child("services"));
    expect(root.child("services")?.child("x")?.child("nothing")).toBeUndefined();
    const services = root.child("services")!;
    expect(services.child("x")).toBe(services.child("y"));
    expect(services.child("a")).not.toBe(services.child("x"));
    expect(services.child("a")?.child("build")?.child("args")?.value).toBe(1);
  });
});
