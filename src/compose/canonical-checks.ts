/**
 * The checks of compose-go's canonical transform (transform/canonical.go) that refuse a value, run where compose-go
 * runs them: on the merged model after each document, and on every document of a file reached through `extends`
 * (its loader canonicalises that file even though it skips the schema, every service of it, extended or not). A
 * value a later file (`!reset`) or an extending service replaces is therefore still refused, as Compose refuses it
 * (stop 18, counterexample a: `build.ulimits.nproc: "${NUM}"` then `nproc: 1024` in a later `-f` file).
 *
 * - `ports` (transform/ports.go): each entry an int or a string types.ParsePortConfig reads (a float is refused);
 *   then the de-duplication that follows the transform (override/uncity.go) refuses the first entry that opens
 *   port 0 (`"0"`, `"80:0"`): it has no target;
 * - `devices` (transform/device.go): each short entry must parse, once de-duplicated (override/uncity.go, before
 *   the transform: a later item with an earlier one's target, the part after the first `:` or the whole item, takes
 *   its place, so an item the same document replaces is never parsed);
 * - `build.ssh` (transform/ssh.go): a list item without `=` must be `default`; checked here, not only when the
 *   build is normalised, because a later file may reset or replace the list (counterexample of seed 4242: `ssh:
 *   [k.2]` then `ssh: !reset []`, which Compose refuses);
 * - `build.ulimits.*` (transform/ulimits.go): an int or a mapping; compose-go never casts a string there, so an
 *   interpolated value is refused whatever the environment. (normalize-build.ts checks the soft/hard values, which
 *   compose-go checks only when it decodes the whole project.)
 *
 * A value written with a variable in keep mode is left alone (written.ts).
 */
import { fail, type DiagnosticCode } from "../diagnostics";
import { goQuote, goTypeName } from "./go-format";
import { deviceProblem, isGoFloat, portSpecProblem, portTargets } from "./go-parse";
import { hasToken } from "./keep-token";
import type { PositionTable } from "./model";
import { placeOf } from "./positions";
import { isMap, writtenServices, type PlainMap, type PlainValue } from "./raw";
import { dedupe } from "./service-checks";
import type { Judged } from "./written";

/** Checks the services of `model` that `document` wrote (all of them when it is the model itself). */
export function checkCanonicalShapes(
  model: PlainMap,
  document: PlainMap,
  positions: PositionTable,
  judged: Judged,
): void {
  for (const [name, service] of writtenServices(model, document)) {
    const base = `services.${name}`;
    checkPorts(service.ports, base, positions, judged);
    listItems(
      keptDevices(service.devices, `${base}.devices`, judged),
      `${base}.devices`,
      positions,
      judged,
      "invalid-device",
      deviceProblem,
    );
    const build = service.build;
    if (!isMap(build)) continue;
    checkSshIds(build.ssh, `${base}.build.ssh`, positions, judged);
    if (!isMap(build.ulimits)) continue;
    for (const [limit, value] of Object.entries(build.ulimits)) {
      if ((typeof value === "number" && Number.isInteger(value)) || isMap(value)) continue;
      const at = `${base}.build.ulimits.${limit}`;
      fail("invalid-ulimit", `${at}: invalid type ${goTypeName(value)} for external`, placeOf(positions, at));
    }
  }
}

/** transform/ssh.go: in a list, an item without `=` is `default` (the agent) or refused. */
function checkSshIds(list: PlainValue | undefined, p: string, positions: PositionTable, judged: Judged): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    if (typeof item !== "string" || item === "default" || item.includes("=")) return;
    if (hasToken(item) || !judged(`${p}.${i}`)) return;
    fail("invalid-ssh-key", `invalid ssh key ${goQuote(item)}`, placeOf(positions, `${p}.${i}`));
  });
}

/**
 * The devices compose-go keeps (deviceMappingIndexer's key: a long item's target, a short one's second part, or
 * the whole item), each with its index in `list`; an item whose key is not known here (a kept variable) keeps its
 * place and replaces none.
 */
function keptDevices(list: PlainValue | undefined, p: string, judged: Judged): (readonly [PlainValue, number])[] {
  if (!Array.isArray(list)) return [];
  const key = ([item, i]: readonly [PlainValue, number]): string | undefined => {
    if (isMap(item))
      return typeof item.target === "string" && !hasToken(item.target) && judged(`${p}.${i}.target`)
        ? item.target
        : undefined;
    if (typeof item !== "string" || hasToken(item) || !judged(`${p}.${i}`)) return undefined;
    const parts = item.split(":");
    return parts.length === 1 ? parts[0] : parts[1];
  };
  return dedupe(
    list.map((item, i) => [item, i] as const),
    key,
  );
}

/** Short-syntax list items (strings; a number is an entry written bare) with their indexes, checked one by one. */
function listItems(
  list: readonly (readonly [PlainValue, number])[],
  p: string,
  positions: PositionTable,
  judged: Judged,
  code: DiagnosticCode,
  check: (value: string) => string | undefined,
): void {
  list.forEach(([item, i]) => {
    const text = typeof item === "number" ? String(item) : item;
    if (typeof text !== "string" || hasToken(text) || !judged(`${p}.${i}`)) return;
    const problem = check(text);
    if (problem !== undefined) fail(code, problem, placeOf(positions, `${p}.${i}`));
  });
}

/**
 * Each entry in order is an int or a string that parses (a float is refused), then the first port 0 among the
 * entries it opens has no target, named by its index in that expanded list (strings and ints de-duplicated first,
 * as compose-go does).
 */
function checkPorts(list: PlainValue | undefined, base: string, positions: PositionTable, judged: Judged): void {
  if (!Array.isArray(list)) return;
  const p = `${base}.ports`;
  list.forEach((item, i) => {
    const where = placeOf(positions, `${p}.${i}`);
    if (typeof item === "number" && isGoFloat(item, positions.get(`${p}.${i}`)))
      fail("invalid-port", `${p}: invalid type float64 for port`, where);
    const text = typeof item === "number" ? String(item) : item;
    if (typeof text !== "string" || hasToken(text) || !judged(`${p}.${i}`)) return;
    const problem = portSpecProblem(text);
    if (problem !== undefined) fail("invalid-port", problem, where);
  });
  let index = 0;
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const text = typeof item === "number" ? String(item) : item;
    if (typeof text !== "string") {
      index++;
      return;
    }
    if (seen.has(text)) return;
    seen.add(text);
    if (hasToken(text) || !judged(`${p}.${i}`)) {
      index++;
      return;
    }
    const { count, lowest } = portTargets(text);
    if (lowest === 0)
      fail("invalid-port", `service ports ${p}.[${index}] is missing a target port`, placeOf(positions, `${p}.${i}`));
    index += count;
  });
}
