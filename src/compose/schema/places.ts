/**
 * Where a schema error points: an unknown key at that key, a duplicate item at its second copy, anything else at
 * the value (or its nearest ancestor with a position). Key positions are found lazily, only when an error needs one.
 */
import { isPair, isScalar, visit } from "yaml";
import type { SourceFile, SourcePos } from "../../diagnostics";
import type { PositionTable } from "../model";
import { placeOf } from "../positions";
import { parseLeniently } from "../yaml";
import type { Leaf } from "./messages";

/**
 * Where to point: an unknown key at that key (the first one), a duplicate item at its second copy, anything
 * else at the value; the nearest ancestor with a position when the path has none.
 */
export function position(leaf: Leaf, positions: PositionTable, keys: KeyPositions): SourcePos | undefined {
  const p = leaf.path.join(".");
  const child = (k: string) => (p === "" ? k : `${p}.${k}`);
  if (leaf.keyword === "additionalProperties") {
    const key = leaf.names[0]!;
    const value = positions.get(child(key));
    if (value) return keys.keyOf(value, key) ?? value;
  }
  if (leaf.keyword === "uniqueItems") {
    const item = positions.get(child(String(leaf.params.j)));
    if (item) return item;
  }
  return placeOf(positions, p);
}

/**
 * The loader records where values start; the key of a mapping entry is found, only when an error needs it, by
 * parsing that file again and looking for the entry whose value starts there.
 */
export class KeyPositions {
  private readonly files = new Map<SourceFile, Map<number, Array<{ key: string; offset: number }>>>();

  keyOf(value: SourcePos, key: string): SourcePos | undefined {
    if (value.offset === undefined) return undefined;
    let entries = this.files.get(value.file);
    if (!entries) this.files.set(value.file, (entries = entriesByValueOffset(value.file)));
    const found = entries.get(value.offset)?.find((e) => e.key === key);
    return found ? { file: value.file, offset: found.offset } : undefined;
  }
}

function entriesByValueOffset(file: SourceFile): Map<number, Array<{ key: string; offset: number }>> {
  const out = new Map<number, Array<{ key: string; offset: number }>>();
  let parsed;
  try {
    parsed = parseLeniently(file.text);
  } catch {
    return out;
  }
  for (const doc of parsed.docs) {
    visit(doc, {
      Pair(_, pair) {
        if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) return;
        const value = pair.value as { range?: [number, number, number] } | null;
        const keyOffset = parsed.toOriginal(pair.key.range[0]);
        // A key without a value is recorded at the key itself.
        const valueOffset = value?.range ? parsed.toOriginal(value.range[0]) : keyOffset;
        const list = out.get(valueOffset) ?? [];
        list.push({ key: String(pair.key.value), offset: keyOffset });
        out.set(valueOffset, list);
      },
    });
  }
  return out;
}
