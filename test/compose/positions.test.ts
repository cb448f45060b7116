import { SourceFile } from "../../src/diagnostics";
import { ExtendedPositions, LayeredPositions, ListPositions } from "../../src/compose/positions";

test("the latest document with a path gives its position; earlier ones fill the rest", () => {
  const base = new SourceFile("/p/compose.yaml", "");
  const override = new SourceFile("/p/compose.override.yaml", "");
  const table = new LayeredPositions();
  table.add(
    new Map([
      ["services.web.build", { file: base, offset: 1 }],
      ["services.web.image", { file: base, offset: 2 }],
    ]),
  );
  table.add(new Map([["services.web.build", { file: override, offset: 3 }]]));
  expect(table.get("services.web.build")).toEqual({ file: override, offset: 3 });
  expect(table.get("services.web.image")).toEqual({ file: base, offset: 2 });
  expect(table.get("services.api")).toBeUndefined();
});

test("an extending service's inherited values are placed where the extended service wrote them; its own win", () => {
  const own = new SourceFile("/p/compose.yaml", "");
  const other = new SourceFile("/p/base.yaml", "");
  const base = new Map([
    ["services.b", { file: other, offset: 1 }],
    ["services.b.mem_limit", { file: other, offset: 2 }],
    ["services.b.build", { file: other, offset: 3 }],
  ]);
  const extended = new ExtendedPositions();
  const table = new LayeredPositions();
  table.add(extended);
  table.add(
    new Map([
      ["services.a", { file: own, offset: 10 }],
      ["services.a.build", { file: own, offset: 11 }],
      ["services.x.y", { file: own, offset: 12 }],
    ]),
  );
  extended.set("a", "services.b", base);
  // A service name may hold dots.
  extended.set("x.y", "services.b", base);
  expect(table.get("services.a")).toEqual({ file: own, offset: 10 });
  expect(table.get("services.a.build")).toEqual({ file: own, offset: 11 });
  expect(table.get("services.a.mem_limit")).toEqual({ file: other, offset: 2 });
  expect(table.get("services.x.y.mem_limit")).toEqual({ file: other, offset: 2 });
  expect(table.get("services.a.image")).toBeUndefined();
  expect(table.get("services.ab.mem_limit")).toBeUndefined();
});

test("a merged list's items are placed where each was written, not at the later document's same index", () => {
  const first = new SourceFile("/p/a.yaml", "");
  const later = new SourceFile("/p/b.yaml", "");
  const before = new Map([
    ["services.a.ports", { file: first, offset: 1 }],
    ["services.a.ports.0", { file: first, offset: 2 }],
    ["services.a.args.K", { file: first, offset: 3 }],
  ]);
  const own = new Map([
    ["services.a.ports.0", { file: later, offset: 10 }],
    ["services.a.ports.0.target", { file: later, offset: 11 }],
    ["services.a.args.0", { file: later, offset: 12 }],
  ]);
  const lists = new ListPositions(before, own);
  lists.record("services.a.ports", [
    { from: "base", index: 0 },
    { from: "override", index: 0 },
  ]);
  // args: a mapping in the first document, a list in the later one; the later K=V replaced K in place.
  lists.record("services.a.args", [
    { from: "override", index: 0 },
    { from: "base", key: "L" },
  ]);
  const table = new LayeredPositions();
  table.add(before);
  table.add(own);
  table.add(lists);
  expect(table.get("services.a.ports.0")).toEqual({ file: first, offset: 2 });
  expect(table.get("services.a.ports.1")).toEqual({ file: later, offset: 10 });
  expect(table.get("services.a.ports.1.target")).toEqual({ file: later, offset: 11 });
  expect(table.get("services.a.args.0")).toEqual({ file: later, offset: 12 });
  // An item whose origin has no place has none: not the later document's item of that index.
  expect(table.get("services.a.args.1")).toBeUndefined();
  expect(table.get("services.a.ports")).toEqual({ file: first, offset: 1 });
});
