/**
 * Compose's rule for numbers written in a build's `args` or `labels` mapping: they are strings there, as docker
 * compose makes them from what go-yaml decoded (`1.0` → "1", `1e6` → "1e+06", `12345678901234567890` in full), so
 * the text is made from the number as written, not from a JavaScript number. The YAML layer keeps that text for
 * the places this predicate names (its walker has the source at hand); no other rule of Compose's lives there.
 */
import type { NumberAsText } from "./yaml";

/** Keys from a document's root: `services.<name>.build.args.<key>` or `….labels.<key>` (mapping form). */
export const inBuildStringMap: NumberAsText = (k) =>
  k.length === 5 && k[0] === "services" && k[2] === "build" && (k[3] === "args" || k[3] === "labels");

export const COMPOSE_YAML_OPTIONS = { numberAsText: inBuildStringMap } as const;
