/**
 * The refusals of compose-go's de-duplication of list items (override/uncity.go EnforceUnicity), which runs on the
 * merged model after each document, before the schema: to find an item's key, its indexer parses a short volume
 * spec (format.ParseVolume: `invalid spec: ./a:/b:ro:x: too many colons`) and refuses a long volume, device or port
 * without a target, an env_file entry without a path, a float in `expose` and a non-string item of a `K=V` list.
 * Like compose-go, every service the document wrote is checked, active or not (profiles apply later); an extended
 * file's documents too.
 * A value written with a variable in keep mode is left alone (written.ts).
 */
import { fail, type DiagnosticCode, type SourcePos } from "../diagnostics";
import { goFloatText, goTypeName } from "./go-format";
import { isGoFloat, parseVolumeSpec } from "./go-parse";
import { hasToken } from "./keep-token";
import type { PlaceOf } from "./positions";
import { isMap, valueAt, writtenServices, type PlainMap, type PlainValue } from "./raw";
import type { Judged } from "./written";

/**
 * One item's problem (compose-go's message), given the item, compose-go's text for its place and its position;
 * both are asked for only when needed (every item of every list is checked, and most have no problem).
 */
type Indexer = (
  item: PlainValue,
  at: () => string,
  pos: () => SourcePos | undefined,
) => readonly [DiagnosticCode, string] | undefined;

const keyValue: Indexer = (item, at) =>
  typeof item === "string" ? undefined : ["schema", `${at()}: unexpected type ${goTypeName(item)}`];

const volume: Indexer = (item, at) => {
  if (isMap(item))
    return typeof item.target === "string"
      ? undefined
      : ["invalid-volume", `service volume ${at()} is missing a mount target`];
  if (typeof item !== "string" || hasToken(item)) return undefined;
  const parsed = parseVolumeSpec(item);
  return "error" in parsed ? ["invalid-volume", parsed.error] : undefined;
};

const device: Indexer = (item, at) =>
  isMap(item) && typeof item.target !== "string"
    ? ["invalid-device", `service device ${at()} is missing a mount target`]
    : undefined;

const port: Indexer = (item, at) =>
  isMap(item) && !("target" in item) ? ["invalid-port", `service ports ${at()} is missing a target port`] : undefined;

/** A port number or text; go-yaml's float64 is refused (`%!s(float64=1.5)`, Go's %s of a float). */
const expose: Indexer = (item, at, pos) =>
  typeof item === "number" && isGoFloat(item, pos())
    ? ["invalid-port", `${at()}: unsupported expose value %!s(float64=${goFloatText(item)})`]
    : undefined;

const envFile: Indexer = (item, at) =>
  isMap(item) && !("path" in item) ? ["schema", `environment path attribute ${at()} is missing`] : undefined;

/** override/uncity.go's table below `services.<name>` (compose-go v2.9.1), in the order it is written. */
const SERVICE_LISTS: readonly (readonly [string, Indexer])[] = [
  ["annotations", keyValue],
  ["build.args", keyValue],
  ["build.additional_contexts", keyValue],
  ["build.tags", keyValue],
  ["build.labels", keyValue],
  ["cap_add", keyValue],
  ["cap_drop", keyValue],
  ["devices", device],
  ["deploy.labels", keyValue],
  ["dns", keyValue],
  ["dns_opt", keyValue],
  ["dns_search", keyValue],
  ["environment", keyValue],
  ["env_file", envFile],
  ["expose", expose],
  ["labels", keyValue],
  ["links", keyValue],
  ["ports", port],
  ["profiles", keyValue],
  ["sysctls", keyValue],
  ["tmpfs", keyValue],
  ["volumes", volume],
];
/**
 * SERVICE_LISTS as objects, the places split once: walked for every service, mostly before V8 optimises the
 * loop, where splitting a path or destructuring a tuple allocates.
 */
const SERVICE_LIST_PLACES = SERVICE_LISTS.map(([place, indexer]) => ({ place, keys: place.split("."), indexer }));

/** Checks the lists of the services of `model` that `document` wrote. */
export function checkUnicityIndexers(model: PlainMap, document: PlainMap, placeOf: PlaceOf, judged: Judged): void {
  for (const [name, service] of writtenServices(model, document)) {
    for (let p = 0; p < SERVICE_LIST_PLACES.length; p++) {
      const { place, keys, indexer } = SERVICE_LIST_PLACES[p]!;
      const list = valueAt(service, keys);
      if (!Array.isArray(list)) continue;
      list.forEach((item, i) => {
        const path = () => `services.${name}.${place}.${i}`;
        const problem = indexer(
          item,
          () => `services.${name}.${place}.[${i}]`,
          () => placeOf(path()),
        );
        if (problem !== undefined && judged(path())) fail(problem[0], problem[1], placeOf(path()));
      });
    }
  }
}
