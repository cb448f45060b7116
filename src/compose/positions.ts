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

/**
 * Source positions by path across the merged documents: the latest document that has a path wins, as if each
 * document's table were copied over the previous ones, without the copy (a value per YAML node of every file).
 */
export class LayeredPositions implements PositionTable {
  private readonly layers: PositionTable[] = [];

  add(layer: PositionTable): void {
    this.layers.push(layer);
  }

  get(path: string): SourcePos | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      const pos = layer.get(path);
      if (pos !== undefined) return pos;
      // A merged list's item that has no place is not the item of that index an earlier layer places.
      if (layer instanceof ListPositions && layer.covers(path)) return undefined;
    }
    return undefined;
  }

  /** A table of the layers there are now (what the next document merges over). */
  snapshot(): PositionTable {
    const copy = new LayeredPositions();
    copy.layers.push(...this.layers);
    return copy;
  }
}

/**
 * Where the values a service got from the service it extends were written: `services.<name>.X` answers with the
 * extended service's X in its own table (its own extends included). One per document, put under that document's
 * own positions, so that what the extending service writes itself wins, and the service node stays its own.
 */
export class ExtendedPositions implements PositionTable {
  private readonly bases = new Map<string, { readonly prefix: string; readonly positions: PositionTable }>();

  /** `name` extends the service at `prefix` (`services.<base>`) of `positions`. */
  set(name: string, prefix: string, positions: PositionTable): void {
    this.bases.set(name, { prefix, positions });
  }

  get(path: string): SourcePos | undefined {
    if (this.bases.size === 0 || !path.startsWith("services.")) return undefined;
    // A service name may hold dots: try each cut (a path has few).
    for (let dot = path.indexOf(".", 9); dot >= 0; dot = path.indexOf(".", dot + 1)) {
      const base = this.bases.get(path.slice(9, dot));
      if (base !== undefined) return base.positions.get(base.prefix + path.slice(dot));
    }
    return undefined;
  }
}

/** Where each item of a merged list came from (merge.ts ListItemOrigin, restated to keep this module a leaf). */
export interface MergedItemOrigin {
  readonly from: "base" | "override";
  /** Its index in that side's list, or its key in that side's mapping. */
  readonly index?: number;
  readonly key?: string;
}

/**
 * The positions of the items of lists merged from two documents: item k of a merged list is the base's item i or
 * the override's item j, which `base` and `override` place (an item made from a mapping's entry has none). Put
 * over both, since the override's own item k is not the merged item k.
 */
export class ListPositions implements PositionTable {
  private readonly lists = new Map<string, readonly MergedItemOrigin[]>();

  constructor(
    private readonly base: PositionTable,
    private readonly override: PositionTable,
  ) {}

  /** The list at `path` was merged, its items coming from `origins` (what merge.ts's ListOrigins is told). */
  readonly record = (path: string, origins: readonly MergedItemOrigin[]): void => {
    this.lists.set(path, origins);
  };

  get(path: string): SourcePos | undefined {
    const item = this.itemOf(path);
    if (item === undefined) return undefined;
    const { list, origin, rest } = item;
    const table = origin.from === "base" ? this.base : this.override;
    const place = origin.index ?? origin.key;
    // A single value merged as a list (`profiles: x`) is placed where it was written.
    return table.get(place === undefined ? list : `${list}.${place}${rest}`);
  }

  /** Whether `path` is in an item of a merged list (which this table alone places). */
  covers(path: string): boolean {
    return this.itemOf(path) !== undefined;
  }

  private itemOf(path: string): { list: string; origin: MergedItemOrigin; rest: string } | undefined {
    if (this.lists.size === 0) return undefined;
    for (let dot = path.indexOf("."); dot >= 0; dot = path.indexOf(".", dot + 1)) {
      const origins = this.lists.get(path.slice(0, dot));
      if (origins === undefined) continue;
      const end = path.indexOf(".", dot + 1);
      const k = path.slice(dot + 1, end < 0 ? undefined : end);
      const origin = /^(0|[1-9][0-9]*)$/.test(k) ? origins[Number(k)] : undefined;
      if (origin !== undefined) return { list: path.slice(0, dot), origin, rest: end < 0 ? "" : path.slice(end) };
    }
    return undefined;
  }
}
