/**
 * "A place in the document": the one way the loader and the converter ask where a value was written.
 * PositionTable (compose/model.ts) answers for exact paths; `placeOf` falls back to the nearest ancestor that has
 * a position, the document's root last, so a diagnostic always points as close to its value as the file allows.
 */
import type { SourcePos } from "../diagnostics";
import type { PositionTable } from "./model";

/** A function from a dotted path to a place; what merging, `extends` and `x-bake` are handed. */
export type PlaceOf = (path: string) => SourcePos | undefined;

/** The position of `path` (dotted, as PositionTable keys it), or of its nearest ancestor that has one. */
export function placeOf(positions: PositionTable, path: string): SourcePos | undefined {
  let key = path;
  for (;;) {
    const pos = positions.get(key);
    if (pos) return pos;
    if (key === "") return undefined;
    const dot = key.lastIndexOf(".");
    key = dot < 0 ? "" : key.slice(0, dot);
  }
}
