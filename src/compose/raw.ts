/**
 * The shared leaf of the loader: one name for the raw values a Compose file decodes to (before normalisation)
 * and the few questions every step asks of them. It imports nothing at run time, so any compose/ module may use
 * it without making an import circle.
 *
 * `PlainValue` / `PlainMap` are declared by the YAML layer (which produces them) and re-exported here under the
 * same names; the rest of compose/ takes them from here.
 */
import type { PlainMap, PlainValue } from "./yaml";
import { emptyDict } from "../dict";

export type { PlainMap, PlainValue };

/** A raw mapping (not a list, not null). */
export function isMap(v: unknown): v is PlainMap {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `build: ./dir` is `{context: ./dir}` (compose-go transform/build.go); a mapping is returned as it is. */
export function buildMapping(build: PlainValue): PlainValue {
  return typeof build === "string" ? withContext(build) : build;
}

function withContext(context: string): PlainMap {
  const m = emptyDict<PlainMap>();
  m.context = context;
  return m;
}

/** `""` is Go's unset string. */
export function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}

/**
 * The value at a dotted path of plain mappings (`deploy.resources.limits`), or undefined where one is missing.
 * Tables read for every service give the path split once (`["deploy", "resources", "limits"]`).
 */
export function valueAt(raw: PlainMap, place: string | readonly string[]): PlainValue | undefined {
  const keys = typeof place === "string" ? place.split(".") : place;
  let v: PlainValue | undefined = raw;
  // Indexed: asked for many places of every service, mostly before V8 optimises it (a for-of step allocates).
  for (let i = 0; i < keys.length; i++) {
    if (!isMap(v)) return undefined;
    v = v[keys[i]!];
  }
  return v;
}

/** The services of the merged `model` that `document` wrote (all of them when it is the model), by name. */
export function writtenServices(model: PlainMap, document: PlainMap): Array<[string, PlainMap]> {
  const services = model.services;
  const written = document.services;
  if (!isMap(services) || !isMap(written)) return [];
  const out: Array<[string, PlainMap]> = [];
  for (const name of Object.keys(written)) {
    const service = services[name];
    if (isMap(service)) out.push([name, service]);
  }
  return out;
}
