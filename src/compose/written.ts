/**
 * Keep mode (the default) resolves a variable outside the build as if it were unset, yet Compose would see the
 * value the environment gives it when bake runs. So a check of such a value (an undefined network, a bad port)
 * judges a value nobody will use: it is skipped when the value's written text holds a `$`. The text is read at the
 * value's position, up to the end of its line (capped, so a long flow sequence on one line stays linear).
 */
import type { PositionTable } from "./model";

const SCAN_CAP = 1024;

/** A predicate "is the value at this dotted path to be judged": always in resolve mode; in keep mode, when written without `$`. */
export type Judged = (path: string) => boolean;

export function judgedValues(keep: boolean, positions: PositionTable): Judged {
  if (!keep) return () => true;
  return (path) => {
    const pos = positions.get(path);
    if (pos?.offset === undefined) return false;
    const text = pos.file.text;
    const end = Math.min(text.length, pos.offset + SCAN_CAP);
    for (let i = pos.offset; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) return true;
      if (c === 36) return false; // "$"
    }
    return true;
  };
}
