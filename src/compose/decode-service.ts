/**
 * What compose-go refuses while turning a service's YAML into its Go types, beyond the schema: durations and
 * byte sizes (its mapstructure hooks, "decoding failed due to the following error(s): 'services[a].mem_limit' …"),
 * extra_hosts, and the short `ports:` / `devices:` syntax (transform/ports.go, device.go; a port entry that is a
 * float or opens port 0 too), and a device request's `count` (gpus, deploy reservations). Compose checks these
 * for every service, active or not, before profiles apply. A value holding a kept variable (keep mode) is left
 * to bake. One pass over the services, a table of places.
 */
import { fail, type DiagnosticCode } from "../diagnostics";
import { goQuote, ramInBytes } from "./go-format";
import { deviceProblem, durationProblem, isGoFloat, portSpecProblem, portTargets } from "./go-parse";
import { hasToken } from "./keep-token";
import type { PositionTable } from "./model";
import { placeOf } from "./positions";
import { isMap, valueAt } from "./raw";
import type { PlainMap, PlainValue } from "./yaml";
import type { Judged } from "./written";

type Check = (value: string) => string | undefined;

const duration: Check = durationProblem;
const bytes: Check = (value) => {
  try {
    ramInBytes(value, (message) => {
      throw new BytesError(message);
    });
    return undefined;
  } catch (e) {
    if (e instanceof BytesError) return e.message;
    throw e;
  }
};

class BytesError extends Error {}

/** Places (dotted, below the service) decoded by a hook, and the hook. Only strings reach these checks. */
const DECODED: readonly (readonly [string, Check, DiagnosticCode])[] = [
  ["healthcheck.interval", duration, "invalid-duration"],
  ["healthcheck.timeout", duration, "invalid-duration"],
  ["healthcheck.start_period", duration, "invalid-duration"],
  ["healthcheck.start_interval", duration, "invalid-duration"],
  ["stop_grace_period", duration, "invalid-duration"],
  ["deploy.restart_policy.delay", duration, "invalid-duration"],
  ["deploy.restart_policy.window", duration, "invalid-duration"],
  ["deploy.update_config.delay", duration, "invalid-duration"],
  ["deploy.update_config.monitor", duration, "invalid-duration"],
  ["deploy.rollback_config.delay", duration, "invalid-duration"],
  ["deploy.rollback_config.monitor", duration, "invalid-duration"],
  ["mem_limit", bytes, "invalid-size"],
  ["mem_reservation", bytes, "invalid-size"],
  ["memswap_limit", bytes, "invalid-size"],
  ["shm_size", bytes, "invalid-size"],
  ["deploy.resources.limits.memory", bytes, "invalid-size"],
  ["deploy.resources.reservations.memory", bytes, "invalid-size"],
].map(([place, check, code]) => [place as string, check as Check, code as DiagnosticCode] as const);

/** compose-go's decoding of every service's fields, in the loader's order of services. */
export function checkServiceDecoding(
  services: ReadonlyMap<string, { readonly raw: PlainMap }>,
  positions: PositionTable,
  judged: Judged,
): void {
  for (const [name, { raw }] of services) {
    const base = `services.${name}`;
    const decoding = (code: DiagnosticCode, place: string, message: string, where = place): never =>
      fail(
        code,
        `decoding failed due to the following error(s): 'services[${name}].${place}' ${message}`,
        placeOf(positions, `${base}.${where}`),
      );
    for (const [place, check, code] of DECODED) {
      const v = valueAt(raw, place);
      if (typeof v !== "string" || hasToken(v) || !judged(`${base}.${place}`)) continue;
      const problem = check(v);
      if (problem !== undefined) decoding(code, place, problem);
    }
    const hosts = raw.extra_hosts;
    if (Array.isArray(hosts)) {
      hosts.forEach((item, i) => {
        if (typeof item !== "string" || hasToken(item) || !judged(`${base}.extra_hosts.${i}`)) return;
        const cut = item.includes("=") ? item.indexOf("=") : item.indexOf(":");
        if (cut < 0)
          decoding(
            "invalid-extra-host",
            "extra_hosts",
            `invalid additional host, missing IP: ${item}`,
            `extra_hosts.${i}`,
          );
        const host = item.slice(0, cut);
        if (host === "" || /[:=]/.test(host))
          decoding("invalid-extra-host", "extra_hosts", `bad host name '${host}'`, `extra_hosts.${i}`);
      });
    } else if (isMap(hosts)) {
      for (const host of Object.keys(hosts)) {
        if (host === "" || /[:=]/.test(host))
          decoding("invalid-extra-host", "extra_hosts", `bad host name '${host}'`, `extra_hosts.${host}`);
      }
    }
    checkPorts(raw.ports, name, positions, judged);
    listItems(raw.devices, `${base}.devices`, positions, judged, "invalid-device", deviceProblem);
    // types/device.go DeviceCount: an int, `all` (any case) or a base-10 int64 in a string.
    for (const [place, list] of [
      ["gpus", raw.gpus],
      ["deploy.resources.reservations.devices", valueAt(raw, "deploy.resources.reservations.devices")],
    ] as const) {
      if (!Array.isArray(list)) continue;
      list.forEach((request, i) => {
        const count = isMap(request) ? request.count : undefined;
        if (typeof count !== "string" || hasToken(count) || !judged(`${base}.${place}.${i}.count`)) return;
        if (count.toLowerCase() === "all" || isInt64(count)) return;
        decoding(
          "invalid-device-count",
          `${place}[${i}].count`,
          `invalid value ${goQuote(count)}, the only value allowed is 'all' or a number`,
          `${place}.${i}.count`,
        );
      });
    }
  }
}

/** strconv.ParseInt(s, 10, 64) succeeds. */
function isInt64(s: string): boolean {
  if (!/^[-+]?[0-9]+$/.test(s)) return false;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** Short-syntax list items (strings; a number is a port written bare), checked one by one. */
function listItems(
  list: PlainValue | undefined,
  p: string,
  positions: PositionTable,
  judged: Judged,
  code: DiagnosticCode,
  check: Check,
): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    const text = typeof item === "number" ? String(item) : item;
    if (typeof text !== "string" || hasToken(text) || !judged(`${p}.${i}`)) return;
    const problem = check(text);
    if (problem !== undefined) fail(code, problem, placeOf(positions, `${p}.${i}`));
  });
}

/**
 * transform/ports.go, then the de-duplication that follows it: each entry in order is an int or a string that
 * parses (a float is refused), then the first port 0 among the entries it opens has no target (`"0"`, `"80:0"`),
 * named by its index in that expanded list (strings and ints de-duplicated first, as compose-go does).
 */
function checkPorts(list: PlainValue | undefined, service: string, positions: PositionTable, judged: Judged): void {
  if (!Array.isArray(list)) return;
  const p = `services.${service}.ports`;
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
