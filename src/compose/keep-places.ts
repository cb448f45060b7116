/**
 * Which places of a Compose document keep their `${VAR}` references in keep mode (the value reaches bake unchanged,
 * so the reference can stay a bake expression), and which matter to the build at all (resolving there as unset
 * deserves a warning). keep.ts asks; the README's kept-variables section lists the same places.
 */

/** Build keys whose (string) value reaches bake unchanged. */
const KEPT_BUILD_STRINGS = new Set([
  "target",
  "network",
  "dockerfile",
  "dockerfile_inline",
  "no_cache_filter",
  "pull",
  "no_cache",
  "privileged",
  "shm_size",
  "provenance",
  "sbom",
]);
/** Build keys whose list items reach bake unchanged. */
const KEPT_BUILD_LISTS = new Set(["tags", "cache_from", "cache_to", "platforms", "no_cache_filter", "entitlements"]);
/** x-bake keys whose value or list items reach bake unchanged. */
const KEPT_X_BAKE = new Set(["tags", "cache-from", "cache-to", "platforms", "output"]);
const KEY_VALUE_KEYS = new Set(["args", "labels"]);

/*
 * Where a value sits is decided on its path's segments, never on the joined path: a key may hold dots and
 * newlines, and a regular expression over the joined string would backtrack over them (quadratic time on a
 * long label key).
 */

/** True when every character is an ASCII digit (a list index). */
function isIndex(s: string): boolean {
  if (s === "") return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** `services.<name>.build.<key>…`: the build key, or undefined elsewhere. */
function buildKey(segs: readonly string[]): string | undefined {
  return segs.length >= 4 && segs[0] === "services" && segs[2] === "build" ? segs[3] : undefined;
}

/** A value that reaches bake unchanged, so its references can stay bake expressions. */
export function isKeepablePlace(segs: readonly string[]): boolean {
  // A top-level secret's `environment:` (the name of the variable a build secret reads).
  if (segs.length === 3 && segs[0] === "secrets") return segs[2] === "environment";
  if (segs.length === 3) return segs[0] === "services" && (segs[2] === "image" || segs[2] === "platform");
  const key = buildKey(segs);
  if (key === undefined) return false;
  switch (segs.length) {
    case 4:
      return KEPT_BUILD_STRINGS.has(key);
    case 5:
      return (
        KEY_VALUE_KEYS.has(key) ||
        key === "extra_hosts" || // a mapping's IP, or a `host=ip` item (a host holding a variable: normalize-build)
        (KEPT_BUILD_LISTS.has(key) && isIndex(segs[4]!)) ||
        (key === "x-bake" && KEPT_X_BAKE.has(segs[4]!))
      );
    case 6:
      return (key === "x-bake" && KEPT_X_BAKE.has(segs[4]!) && isIndex(segs[5]!)) || key === "extra_hosts";
    default:
      return false;
  }
}

/** A value that matters to the build: resolving a variable there as unset deserves a warning. */
export function isBuildRelevant(segs: readonly string[]): boolean {
  if (segs[0] === "secrets") return segs.length >= 2;
  return (
    segs.length >= 3 && segs[0] === "services" && (segs[2] === "build" || segs[2] === "image" || segs[2] === "platform")
  );
}

/** An item of a list-form `args` or `labels` (`- KEY=value`). */
export function isKeyValueItem(segs: readonly string[]): boolean {
  return segs.length === 5 && KEY_VALUE_KEYS.has(buildKey(segs) ?? "") && isIndex(segs[4]!);
}
