/**
 * What compose-go refuses while turning a service's YAML into its Go types, beyond the schema: durations and
 * byte sizes (its mapstructure hooks, "decoding failed due to the following error(s): 'services[a].mem_limit' …"),
 * extra_hosts, and a device request's `count` (gpus, deploy reservations). Compose checks these for every
 * service, active or not, before profiles apply. A value holding a kept variable (keep mode) is left to bake. One
 * pass over the services, a table of places. (The short `ports:` / `devices:` syntax is refused earlier, by the
 * canonical transform of each document: canonical-checks.ts.)
 */
import { fail, type DiagnosticCode } from "../diagnostics";
import { goQuote, ramInBytes } from "./go-format";
import { durationProblem } from "./go-parse";
import { hasToken } from "./keep-token";
import type { PositionTable } from "./model";
import { placeOf } from "./positions";
import { isMap, valueAt } from "./raw";
import type { PlainMap } from "./yaml";
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

/** A place (dotted, below the service, and split) decoded by a hook, and the hook. */
interface Decoded {
  readonly place: string;
  readonly keys: readonly string[];
  readonly check: Check;
  readonly code: DiagnosticCode;
}

/** Places (dotted, below the service) decoded by a hook, and the hook. Only strings reach these checks. */
const DECODED_PLACES: readonly (readonly [string, Check, DiagnosticCode])[] = [
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

const DECODED: readonly Decoded[] = DECODED_PLACES.map(([place, check, code]) => ({
  place,
  keys: place.split("."),
  check,
  code,
}));

const RESERVED_DEVICES = ["deploy", "resources", "reservations", "devices"];

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
    // Indexed, and the entries are objects: this runs for every service, mostly before V8 optimises it, and a
    // for-of step or an array destructuring allocates there.
    for (let d = 0; d < DECODED.length; d++) {
      const { place, keys, check, code } = DECODED[d]!;
      const v = valueAt(raw, keys);
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
    // types/device.go DeviceCount: an int, `all` (any case) or a base-10 int64 in a string.
    for (const [place, list] of [
      ["gpus", raw.gpus],
      ["deploy.resources.reservations.devices", valueAt(raw, RESERVED_DEVICES)],
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
