/**
 * The rest of compose-go's checkConsistency (loader/validate.go) for the whole service, not only `build:`: what
 * an active service refers to must be defined at the top level (networks, named volumes, configs, models, secrets),
 * network_mode excludes networks, scale and deploy.replicas are not negative, and the checks of service-checks.ts
 * (healthcheck test, container_name with replicas, develop.watch targets, mount targets). Like Compose, only
 * active services are checked (profiles apply first); depends_on, links and `service:` namespaces are checked in
 * validate.ts.
 * Names holding a kept variable (keep mode) are left alone: their value is not known here.
 */
import { hasOwn } from "../dict";
import { fail, type DiagnosticCode, type SourcePos } from "../diagnostics";
import { ramInBytes } from "./go-format";
import { parseVolumeSpec } from "./go-parse";
import { checkContainerName, checkHealthcheck, checkMounts, checkWatch, keptVolumes } from "./service-checks";
import { hasToken } from "./keep-token";
import type { PositionTable } from "./model";
import { placeOf } from "./positions";
import { isMap } from "./raw";
import type { PlainMap, PlainValue } from "./yaml";
import type { Judged } from "./written";

interface Resource {
  readonly kind: "network" | "volume" | "config" | "model" | "secret";
  readonly code: DiagnosticCode;
  /** The names a service refers to, with the dotted place of each below the service. */
  readonly refs: (raw: PlainMap, judged: Judged, base: string) => (readonly [string, string])[];
}

/** `[name]` or `{name: …}` (networks): the names and their places. */
function listOrKeys(v: PlainValue | undefined, key: string): (readonly [string, string])[] {
  if (Array.isArray(v)) return v.flatMap((n, i) => (typeof n === "string" ? [[n, `${key}.${i}`] as const] : []));
  if (isMap(v)) return Object.keys(v).map((n) => [n, `${key}.${n}`] as const);
  return [];
}

/** `[name]` or `[{source: name}]` (configs, secrets). */
function sources(v: PlainValue | undefined, key: string): (readonly [string, string])[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((item, i) => {
    const name = isMap(item) ? item.source : item;
    return typeof name === "string" ? [[name, `${key}.${i}`] as const] : [];
  });
}

/** format/volume.go: a short spec's source, when it names a volume (not a path, not anonymous). */
function namedVolume(spec: string): string | undefined {
  const parsed = parseVolumeSpec(spec);
  if (!("source" in parsed) || parsed.source === "" || isFilePath(parsed.source)) return undefined;
  return parsed.source;
}

/** format/volume.go isFilePath: `.`, `/`, `~`, a Windows named pipe or drive. */
function isFilePath(source: string): boolean {
  return /^[./~]/.test(source) || source.startsWith("\\\\") || /^\p{L}:/u.test(source);
}

/** The named volumes of the items compose-go keeps (one per target: service-checks.ts keptVolumes). */
function volumes(raw: PlainMap, judged: Judged, base: string): (readonly [string, string])[] {
  const v = raw.volumes;
  if (!Array.isArray(v)) return [];
  return keptVolumes(raw, judged, base).flatMap(({ index: i }) => {
    const item = v[i];
    let name: string | undefined;
    if (typeof item === "string") name = namedVolume(item);
    else if (isMap(item) && item.type === "volume" && typeof item.source === "string" && item.source !== "")
      name = item.source;
    return name === undefined
      ? []
      : [[name, typeof item === "string" ? `volumes.${i}` : `volumes.${i}.source`] as const];
  });
}

/** In compose-go's order (network, volume, config, model, secret). */
const RESOURCES: readonly Resource[] = [
  { kind: "network", code: "undefined-network", refs: (raw) => listOrKeys(raw.networks, "networks") },
  { kind: "volume", code: "undefined-volume", refs: volumes },
  { kind: "config", code: "undefined-config", refs: (raw) => sources(raw.configs, "configs") },
  { kind: "model", code: "undefined-model", refs: (raw) => listOrKeys(raw.models, "models") },
  { kind: "secret", code: "undefined-service-secret", refs: (raw) => sources(raw.secrets, "secrets") },
];

/** Top-level `networks`, `volumes`, `configs`, `secrets` of the merged model. */
export interface TopLevel {
  readonly networks?: PlainValue;
  readonly volumes?: PlainValue;
  readonly configs?: PlainValue;
  readonly models?: PlainValue;
  readonly secrets?: PlainValue;
}

export function checkServiceConsistency(
  services: ReadonlyMap<string, { readonly raw: PlainMap; readonly active: boolean }>,
  top: TopLevel,
  positions: PositionTable,
  judged: Judged,
): void {
  const defined = {
    // Compose creates the `default` network for any service that uses it, so it never needs declaring.
    network: new Set(["default", ...keys(top.networks)]),
    volume: new Set(keys(top.volumes)),
    config: new Set(keys(top.configs)),
    model: new Set(keys(top.models)),
    secret: new Set(keys(top.secrets)),
  };
  for (const [name, { raw, active }] of services) {
    if (!active) continue;
    const base = `services.${name}`;
    const where = (place: string) => placeOf(positions, `${base}.${place}`);
    const networks = raw.networks;
    const hasNetworks = Array.isArray(networks) ? networks.length > 0 : isMap(networks) && hasAny(networks);
    if (typeof raw.network_mode === "string" && raw.network_mode !== "" && hasNetworks) {
      fail(
        "network-mode-conflict",
        `service ${name} declares mutually exclusive \`network_mode\` and \`networks\`: invalid compose project`,
        where("network_mode"),
      );
    }
    for (const resource of RESOURCES) {
      for (const [ref, place] of resource.refs(raw, judged, base)) {
        if (defined[resource.kind].has(ref) || hasToken(ref) || !judged(`${base}.${place}`)) continue;
        fail(
          resource.code,
          `service "${name}" refers to undefined ${resource.kind} ${ref}: invalid compose project`,
          where(place),
        );
      }
      // compose-go checks the healthcheck's first word right after the networks.
      if (resource.kind === "network") checkHealthcheck(raw, base, positions, judged);
    }
    const deploy = isMap(raw.deploy) ? raw.deploy : undefined;
    const resources = deploy && isMap(deploy.resources) ? deploy.resources : undefined;
    if (
      typeof raw.scale === "number" &&
      typeof deploy?.replicas === "number" &&
      raw.scale !== deploy.replicas &&
      judged(`${base}.scale`) &&
      judged(`${base}.deploy.replicas`)
    )
      distinct(name, "scale", "deploy.replicas", where("scale"));
    for (const place of REPLICAS) {
      const v = place === "scale" ? raw.scale : isMap(raw.deploy) ? raw.deploy.replicas : undefined;
      if (typeof v === "number" && v < 0 && judged(`${base}.${place}`)) {
        fail("negative-scale", `services.${name}.${place}: must be greater than or equal to 0`, where(place));
      }
    }
    // A value set both ways must agree once decoded; a `limits`/`reservations` mapping without the key is 0.
    for (const { key, group, field, decode } of DUPLICATED) {
      const own = decode(raw[key]);
      const section = resources?.[group];
      if (own === undefined || own === 0 || !isMap(section)) continue;
      const other = section[field] === undefined ? 0 : decode(section[field]);
      if (
        other !== undefined &&
        other !== own &&
        judged(`${base}.${key}`) &&
        (section[field] === undefined || judged(`${base}.deploy.resources.${group}.${field}`))
      )
        distinct(name, key, `deploy.resources.${group}.${field}`, where(key));
    }
    checkContainerName(name, raw, where, judged, base);
    checkWatch(name, raw, where, judged, base);
    checkMounts(name, raw, where, judged, base);
  }
}

const REPLICAS = ["scale", "deploy.replicas"] as const;

/** A number as compose-go decodes it, or undefined when unknown here (a kept variable, a decoding error). */
type Decode = (v: PlainValue | undefined) => number | undefined;
const float32: Decode = (v) => {
  const n = typeof v === "number" ? v : typeof v === "string" && !hasToken(v) && v.trim() !== "" ? Number(v) : NaN;
  return Number.isNaN(n) ? undefined : Math.fround(n);
};
const int: Decode = (v) => (typeof v === "number" ? v : undefined);
const byteSize: Decode = (v) => {
  if (typeof v === "number") return v;
  if (typeof v !== "string" || hasToken(v)) return undefined;
  try {
    return ramInBytes(v, () => {
      throw new RangeError();
    });
  } catch {
    return undefined;
  }
};

/** compose-go's order: cpus, mem_limit, mem_reservation, pids_limit against deploy.resources. */
/** Objects, not tuples: walked for every service, where destructuring a tuple allocates in cold code. */
const DUPLICATED: readonly { key: string; group: "limits" | "reservations"; field: string; decode: Decode }[] = [
  { key: "cpus", group: "limits", field: "cpus", decode: float32 },
  { key: "mem_limit", group: "limits", field: "memory", decode: byteSize },
  { key: "mem_reservation", group: "reservations", field: "memory", decode: byteSize },
  { key: "pids_limit", group: "limits", field: "pids", decode: int },
];

function distinct(service: string, a: string, b: string, pos: SourcePos | undefined): never {
  fail(
    "distinct-values",
    `services.${service}: can't set distinct values on '${a}' and '${b}': invalid compose project`,
    pos,
  );
}

function keys(v: PlainValue | undefined): string[] {
  return isMap(v) ? Object.keys(v) : [];
}

function hasAny(m: PlainMap): boolean {
  for (const k in m) if (hasOwn(m, k)) return true;
  return false;
}
