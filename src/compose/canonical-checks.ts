/**
 * The checks of compose-go's canonical transform (transform/canonical.go) that refuse a value, run where compose-go
 * runs them: on the merged model after each document, and on every document of a file reached through `extends`
 * (its loader canonicalises that file even though it skips the schema). A value a later file or an extending
 * service replaces is therefore still refused, as Compose refuses it (stop 18, counterexample a:
 * `build.ulimits.nproc: "${NUM}"` then `nproc: 1024` in a later `-f` file).
 *
 * `build.ulimits.*` (transform/ulimits.go): an int or a mapping; compose-go never casts a string there, so an
 * interpolated value is refused whatever the environment. (normalize-build.ts checks the soft/hard values, which
 * compose-go checks only when it decodes the whole project.)
 */
import { fail } from "../diagnostics";
import { goTypeName } from "./go-format";
import type { PlaceOf } from "./positions";
import { isMap, writtenServices, type PlainMap } from "./raw";

/** Checks the services of `model` that `document` wrote (all of them when it is the model itself). */
export function checkCanonicalShapes(model: PlainMap, document: PlainMap, placeOf: PlaceOf): void {
  for (const [name, service] of writtenServices(model, document)) {
    const build = service.build;
    if (!isMap(build) || !isMap(build.ulimits)) continue;
    for (const [limit, value] of Object.entries(build.ulimits)) {
      if ((typeof value === "number" && Number.isInteger(value)) || isMap(value)) continue;
      const at = `services.${name}.build.ulimits.${limit}`;
      fail("invalid-ulimit", `${at}: invalid type ${goTypeName(value)} for external`, placeOf(at));
    }
  }
}
