/**
 * `uniqueItems` for the generated validator: the first pair of equal items, as santhosh-tekuri/jsonschema finds
 * it (the smallest later index, then the smallest earlier one), in linear time (items are bucketed by a canonical
 * text, so a hostile list of 100,000 objects costs no more than reading it).
 */
export function firstDuplicate(items: readonly unknown[]): [number, number] | undefined {
  if (items.length < 2) return undefined;
  const seen = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const key = canonical(items[i]);
    const j = seen.get(key);
    if (j !== undefined) return [j, i];
    seen.set(key, i);
  }
  return undefined;
}

/** A text equal for JSON-equal values only: keys sorted, types kept apart (`1` is not `"1"`). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const m = v as Record<string, unknown>;
    return `{${Object.keys(m)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(m[k])}`)
      .join(",")}}`;
  }
  if (typeof v === "number") return `n${v}`; // not JSON: Infinity and NaN stay apart from null
  return JSON.stringify(v) ?? "null";
}
