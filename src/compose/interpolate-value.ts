/** Interpolation of a whole document's values (interpolate.ts does one string). */
import { interpolate, type InterpolateOptions, type Lookup } from "./interpolate";
import { InterpolationError, InterpolationSyntaxError, RequiredVariableError } from "./interpolation-errors";
import { emptyDict } from "../dict";

/**
 * Interpolates every string value (never keys) of plain YAML-derived data. A list or mapping in which nothing
 * changes is returned as it is (shared, not copied: a document's parsed value is read once, by this, and most of
 * a large file holds no `$`); one that changes is a new object. `path` is the
 * dotted path of `value` ("" for the root); children are `path.key` and `path.<index>` (compose-go writes `[]` for
 * a list item, we keep the index so the loader can find the node). Errors are rethrown as InterpolationError with
 * the path of the failing value. A value whose path `skip` accepts is returned as it is, subtree included.
 */
export function interpolateValue(
  value: unknown,
  path: string,
  lookup: Lookup,
  options?: InterpolateOptions & { skip?: (path: string) => boolean },
): unknown {
  if (options?.skip?.(path)) return value;
  if (typeof value === "string") {
    if (value.indexOf("$") === -1) return value;
    try {
      return interpolate(value, lookup, options);
    } catch (e) {
      if (e instanceof InterpolationSyntaxError || e instanceof RequiredVariableError) {
        throw new InterpolationError(path, e);
      }
      throw e;
    }
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (unchanged(item)) continue;
      const next = interpolateValue(item, childPath(path, String(i)), lookup, options);
      if (next !== item) (out ??= value.slice())[i] = next;
    }
    return out ?? value;
  }
  if (value !== null && typeof value === "object") {
    const map = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    const keys = Object.keys(map);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item = map[key];
      if (unchanged(item)) continue;
      const next = interpolateValue(item, childPath(path, key), lookup, options);
      if (next === item) continue;
      // Null prototype: a user key such as `__proto__` stays an ordinary entry, and `constructor` is never inherited.
      out ??= Object.assign(emptyDict<Record<string, unknown>>(), map);
      out[key] = next;
    }
    return out ?? value;
  }
  return value;
}

function childPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/**
 * A value interpolation returns as it is, wherever it is: a string without `$`, a number, a boolean, null. Passed
 * over without building its path: this visits every value of every file, mostly before V8 optimises it.
 */
function unchanged(value: unknown): boolean {
  return typeof value === "string" ? value.indexOf("$") === -1 : typeof value !== "object" || value === null;
}
