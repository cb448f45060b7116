import { SourceFile } from "../../src/diagnostics";
import { LayeredPositions } from "../../src/compose/raw-model";

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
