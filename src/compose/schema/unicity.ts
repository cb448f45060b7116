/**
 * What the schema sees: compose-go removes redefined list items (override/uncity.go EnforceUnicity) from the
 * merged model right before it validates it, so `ports: ["80:80", "80:80"]` or `cap_add: [A, A]` never meet
 * the schema's `uniqueItems`, while lists it does not de-duplicate (`security_opt`, `extra_hosts`, `build.ssh`…)
 * do. The same keys are used here: a later item replaces the earlier one with the same key, at its place. When
 * compose-go's indexer would fail on an item (a non-string `K=V` item, a mount without a target…) the list is
 * left as it is: compose-go reports that error instead, and the schema reports one here.
 * The model is not changed: lists are copied, and the mappings above them.
 */
import { isMap, type PlainMap, type PlainValue } from "../raw";
import { PathTable, type PathCursor } from "../tree-path";
import { emptyDict } from "../../dict";

type Indexer = (item: PlainValue) => string | undefined;

const keyValue: Indexer = (item) => (typeof item === "string" ? item.split("=", 1)[0] : undefined);

/** compose-go's format.ParseVolume target, for the common forms (`src:dst[:mode]`, `dst`). */
const volume: Indexer = (item) => {
  if (isMap(item)) return typeof item.target === "string" ? item.target : undefined;
  if (typeof item === "string") {
    if (item === "") return undefined;
    const parts = item.split(":");
    return parts.length === 1 ? parts[0] : parts[1];
  }
  return "";
};

const device: Indexer = (item) => {
  if (isMap(item)) return typeof item.target === "string" ? item.target : undefined;
  if (typeof item === "string") {
    const parts = item.split(":");
    return parts.length === 1 ? parts[0] : parts[1];
  }
  return "";
};

const expose: Indexer = (item) => {
  if (typeof item === "string") return item;
  if (typeof item === "number" && Number.isInteger(item)) return String(item);
  return undefined;
};

function mount(defaultPath: string): Indexer {
  return (item) => {
    if (typeof item === "string") return `${defaultPath}/${item}`;
    if (isMap(item)) {
      if ("target" in item) return typeof item.target === "string" ? item.target : undefined;
      return `${defaultPath}/${goS(item.source)}`;
    }
    return undefined;
  };
}

const port: Indexer = (item) => {
  if (typeof item === "number" && Number.isInteger(item)) return String(item);
  if (typeof item === "string") return item;
  if (isMap(item)) {
    if (!("target" in item)) return undefined;
    const host = "host_ip" in item ? item.host_ip : "0.0.0.0";
    const protocol = "protocol" in item ? item.protocol : "tcp";
    return `${goS(host)}:${goS(item.published)}:${goD(item.target)}/${goS(protocol)}`;
  }
  return "";
};

const envFile: Indexer = (item) => {
  if (typeof item === "string") return item;
  if (isMap(item)) return typeof item.path === "string" ? item.path : undefined;
  return "";
};

/** override/uncity.go's table (compose-go v2.9.1/v2.10.0), `*` matching one key. */
const UNIQUE = new PathTable<Indexer>([
  ...["labels", "ipam.options"].map((p) => [`networks.*.${p}`, keyValue] as const),
  ...[
    "annotations",
    "build.args",
    "build.additional_contexts",
    "build.tags",
    "build.labels",
    "cap_add",
    "cap_drop",
    "deploy.labels",
    "dns",
    "dns_opt",
    "dns_search",
    "environment",
    "labels",
    "links",
    "networks.*.aliases",
    "networks.*.link_local_ips",
    "profiles",
    "sysctls",
    "tmpfs",
  ].map((p) => [`services.*.${p}`, keyValue] as const),
  ["services.*.devices", device],
  ["services.*.configs", mount("")],
  ["services.*.secrets", mount("/run/secrets")],
  ["services.*.env_file", envFile],
  ["services.*.expose", expose],
  ["services.*.ports", port],
  ["services.*.volumes", volume],
]);

export function schemaView(model: PlainMap): PlainMap {
  return visit(model, UNIQUE.cursor()) as PlainMap;
}

/** `at`: the rows of UNIQUE that agree with the path of `value`, some of which may match it or below it. */
function visit(value: PlainValue, at: PathCursor<Indexer>): PlainValue {
  if (Array.isArray(value)) {
    const rule = at.value;
    return rule ? unique(value, rule) : value;
  }
  if (!isMap(value)) return value;
  let out: PlainMap | undefined;
  for (const k of Object.keys(value)) {
    const below = at.child(k);
    if (below === undefined) continue;
    const v = value[k]!;
    const w = visit(v, below);
    if (w !== v) {
      out ??= Object.assign(emptyDict<PlainMap>(), value);
      out[k] = w;
    }
  }
  return out ?? value;
}

function unique(items: PlainValue[], indexer: Indexer): PlainValue[] {
  const keys = items.map(indexer);
  if (keys.some((k) => k === undefined)) return items;
  const out: PlainValue[] = [];
  const index = new Map<string, number>();
  items.forEach((item, i) => {
    const at = index.get(keys[i]!);
    if (at === undefined) {
      index.set(keys[i]!, out.length);
      out.push(item);
    } else {
      out[at] = item;
    }
  });
  return out.length === items.length ? items : out;
}

/** Go's %s of a decoded YAML value, enough to keep keys apart as compose-go's are. */
function goS(v: PlainValue | undefined): string {
  if (typeof v === "string") return v;
  if (v === undefined || v === null) return "%!s(<nil>)";
  return `%!s(${typeof v}=${JSON.stringify(v)})`;
}

/** Go's %d of a decoded YAML value. */
function goD(v: PlainValue | undefined): string {
  if (typeof v === "number" && Number.isInteger(v)) return String(v);
  return `%!d(${typeof v}=${JSON.stringify(v)})`;
}
