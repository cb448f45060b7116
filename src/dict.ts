/**
 * Maps keyed by user-chosen names (services, args, labels, targets, groups…) are plain objects with a null
 * prototype: a key such as `__proto__`, `constructor` or `toString` is then an ordinary entry, never an
 * inherited member, and `key in dict` / `dict[key]` see own entries only.
 */
export function dict<T>(entries?: Iterable<readonly [string, T]>): Record<string, T> {
  const out = emptyDict<Record<string, T>>();
  if (entries) for (const [k, v] of entries) out[k] = v;
  return out;
}

/**
 * An empty null-prototype object, made as `{}` and then given a null prototype rather than by
 * `Object.create(null)`: V8 gives the latter a hash table for its properties (dictionary mode) and the former
 * ordinary fast properties, about twice as fast to fill and read in the code that has not been optimised yet,
 * where most of a run's time goes (bench/README.md). Large objects still turn into hash tables by V8's own rules.
 */
export function emptyDict<T extends object = Record<string, unknown>>(): T {
  return Object.setPrototypeOf({}, null) as T;
}

/** A null-prototype copy of `source`'s own enumerable entries. */
export function dictCopy<T>(source: Readonly<Record<string, T>>): Record<string, T> {
  return dict(Object.entries(source));
}

/** Own-property test for objects that may have a prototype (parsed TOML, caller-built options). */
export function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** `object[key]` when it is an own entry, else undefined (never an inherited member such as `constructor`). */
export function own<T>(object: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}
