/**
 * Turns one service's raw `build:` value (already interpolated and merged) into a ComposeBuild, and the raw
 * top-level `secrets:` mapping into ComposeSecrets, the way compose-go loads them
 * (compose-loading-reference.md §2.6, §8, §12, §13; compose-build-bake-reference.md §1).
 *
 * compose-go works in phases, and so does this file, because the phase decides which error a user sees:
 * 1. JSON-schema validation, of the whole model, done by the loader before this runs (schema/validate.ts): the
 *    values here have the schema's shapes.
 * 2. The canonical transforms (transform/*.go): short forms to long forms; their errors start with the path.
 * 3. Binding to Go types: boolean strings (`toBoolean`), byte sizes (go-units `RAMInBytes`), extra hosts
 *    (`types.HostsList`), args (`MappingWithEquals`, which rejects a list key with a trailing space).
 * 4. Relative paths (paths/*.go) and normalisation (default context and dockerfile, value-less args).
 * The dockerfile/dockerfile_inline clash is a consistency check that compose-go runs on *active* services only,
 * after profiles, so it is a separate export (`checkDockerfileConflict`) for the caller to run.
 *
 * Everything Go leaves unordered (maps) keeps the written order here; the converter sorts where it must.
 */
import { goFloatText, goQuote } from "./go-format";
import { fail, type SourcePos } from "../diagnostics";
import type { Lookup } from "./interpolate";
import { hasToken } from "./keep-token";
import { contextPath, maybeUnixPath } from "./paths";
import type {
  ComposeBuild,
  ComposeSecret,
  ComposeServiceSecret,
  ComposeSsh,
  ComposeUlimit,
  PositionTable,
} from "./model";

export interface NormalizeContext {
  /** Absolute project directory: relative local paths resolve from here. */
  readonly workingDir: string;
  /** Home directory for `~` expansion (never read process.env yourself). */
  readonly home: string;
  /** Project environment (process env + env files) for value-less args. */
  readonly lookupEnv: Lookup;
  /** Source positions by dotted path, e.g. "services.web.build.args.FOO"; the nearest ancestor with one is used. */
  readonly positions: PositionTable;
}

type Raw = unknown;
type RawMap = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------------------------------------------

/** Normalises `services.<name>.build` (`servicePath` is `services.<name>`). Throws a CompileError on invalid input. */
export function normalizeBuild(raw: unknown, servicePath: string, ctx: NormalizeContext): ComposeBuild {
  const buildPath = `${servicePath}.build`;

  // transform/build.go: `build: ./dir` is `{context: ./dir}`.
  const build: RawMap = typeof raw === "string" ? { context: raw } : (raw as RawMap);
  const at = (key: string) => `${buildPath}.${key}`;

  const dockerfile = nonEmpty(build.dockerfile as string | undefined);
  const dockerfileInline = nonEmpty(build.dockerfile_inline as string | undefined);
  const extensions = dict<unknown>();
  for (const [k, v] of Object.entries(build)) if (k.startsWith("x-")) extensions[k] = v;

  return {
    // transform/build.go and normalize.go default the context to "."; an empty one means the same.
    context: contextPath(typeof build.context === "string" ? build.context : ".", ctx),
    // normalize.go: the default Dockerfile only when neither key is set; both are kept for checkDockerfileConflict.
    dockerfile: dockerfile ?? (dockerfileInline === undefined ? "Dockerfile" : undefined),
    dockerfile_inline: dockerfileInline,
    args: normalizeArgs(build.args, at("args"), ctx),
    ssh: normalizeSsh(build.ssh, at("ssh"), ctx),
    labels: keyValueMapping(build.labels, () => ""),
    cache_from: strings(build.cache_from),
    cache_to: strings(build.cache_to),
    no_cache: optionalBoolean(build.no_cache, at("no_cache"), ctx),
    no_cache_filter: typeof build.no_cache_filter === "string" ? [build.no_cache_filter] : strings(build.no_cache_filter),
    additional_contexts: normalizeAdditionalContexts(build.additional_contexts, at("additional_contexts"), ctx),
    network: nonEmpty(build.network as string | undefined),
    provenance: attestation(build.provenance),
    sbom: attestation(build.sbom),
    pull: optionalBoolean(build.pull, at("pull"), ctx),
    target: nonEmpty(build.target as string | undefined),
    shm_size: shmSize(build.shm_size, at("shm_size"), ctx),
    extra_hosts: normalizeExtraHosts(build.extra_hosts, at("extra_hosts"), ctx),
    isolation: nonEmpty(build.isolation as string | undefined),
    privileged: optionalBoolean(build.privileged, at("privileged"), ctx),
    secrets: normalizeBuildSecrets(build.secrets),
    tags: uniqueByKey(strings(build.tags)),
    ulimits: normalizeUlimits(build.ulimits, at("ulimits"), ctx),
    platforms: strings(build.platforms),
    entitlements: strings(build.entitlements),
    extensions,
  };
}

/** Normalises the top-level `secrets:` value (undefined or null means none). */
export function normalizeSecrets(raw: unknown, ctx: NormalizeContext): Record<string, ComposeSecret> {
  const result = dict<ComposeSecret>();
  if (raw === undefined || raw === null) return result;
  for (const [key, value] of Object.entries(raw as RawMap)) {
    const def = value as RawMap;
    const p = `secrets.${key}`;
    let external: boolean | undefined;
    let name = nonEmpty(def.name as string | undefined);
    const ext = def.external;
    if (typeof ext === "boolean") external = ext;
    else if (typeof ext === "string") external = toBoolean(ext, `${p}.external`, ctx);
    else if (isMap(ext)) {
      // transform/external.go: `external: {name: x}` means `external: true` plus the (deprecated) name.
      external = true;
      if ("name" in ext) {
        if ("name" in def && ext.name !== def.name) {
          fail("secret-name-conflict", `${p}: name and external.name conflict; only use name`, posOf(ctx, `${p}.external.name`));
        }
        name ??= nonEmpty(ext.name as string | undefined);
      }
    }
    // validation/validation.go checkFileObject: keys are counted when present, whatever their value.
    const count = ("file" in def ? 1 : 0) + ("environment" in def ? 1 : 0);
    if (count > 1) {
      fail("secret-source", `${p}: file|environment attributes are mutually exclusive`, posOf(ctx, p));
    }
    if (count === 0 && !("driver" in def) && !("external" in def)) {
      fail("secret-source", `${p}: one of file|environment must be set`, posOf(ctx, p));
    }
    const file = nonEmpty(def.file as string | undefined);
    result[key] = {
      // compose-go names a non-external secret `<project>_<key>`; the project name is not known here, and bake
      // only uses the key, so the key stands in for it (an explicit name always wins).
      name: name ?? key,
      file: file === undefined ? undefined : maybeUnixPath(file, ctx),
      environment: nonEmpty(def.environment as string | undefined),
      external,
    };
  }
  return result;
}

/**
 * loader/validate.go: `dockerfile` and `dockerfile_inline` cannot both be set. compose-go checks this after
 * profiles, on active services only, so the caller runs it for those (normalizeBuild keeps both values).
 */
export function checkDockerfileConflict(build: ComposeBuild, serviceName: string, positions: PositionTable): void {
  if (build.dockerfile !== undefined && build.dockerfile_inline !== undefined) {
    fail(
      "dockerfile-conflict",
      `service "${serviceName}" declares mutualy exclusive dockerfile and dockerfile_inline`,
      posOf({ positions }, `services.${serviceName}.build.dockerfile_inline`),
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------------------------

/** MappingWithEquals + normalize.go: value-less args are looked up in the project environment, or dropped. */
function normalizeArgs(raw: Raw, p: string, ctx: NormalizeContext): Record<string, string> {
  const out = dict<string>();
  const set = (key: string, value: string | undefined) => {
    const v = value ?? ctx.lookupEnv(key);
    if (v !== undefined) out[key] = v;
    else delete out[key];
  };
  if (isMap(raw)) {
    for (const [k, v] of Object.entries(raw)) set(k, v === null ? undefined : goString(v));
  } else if (Array.isArray(raw)) {
    (raw as string[]).forEach((item, i) => {
      const key = item.split("=", 1)[0]!;
      if (TRAILING_SPACE.test(key)) {
        fail("arg-trailing-space", `environment variable ${key} is declared with a trailing space`, posOf(ctx, `${p}.${i}`));
      }
    });
    for (const item of uniqueByKey(raw as string[])) {
      const eq = item.indexOf("=");
      set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? undefined : item.slice(eq + 1));
    }
  }
  return out;
}

/** Go's unicode.IsSpace for the last character of a list key (types.MappingWithEquals). */
const TRAILING_SPACE = /[\t\n\v\f\r \u0085\u00a0]$/;

/** labels (types.Labels): null and a bare `k` both give "". */
function keyValueMapping(raw: Raw, missing: () => string): Record<string, string> {
  const out = dict<string>();
  if (isMap(raw)) {
    for (const [k, v] of Object.entries(raw)) out[k] = v === null ? missing() : goString(v);
  } else if (Array.isArray(raw)) {
    for (const item of uniqueByKey(raw as string[])) {
      const eq = item.indexOf("=");
      out[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? missing() : item.slice(eq + 1);
    }
  }
  return out;
}

/** transform/mapping.go transformKeyValue, then paths/context.go for each value. */
function normalizeAdditionalContexts(raw: Raw, p: string, ctx: NormalizeContext): Record<string, string> {
  const out = dict<string>();
  if (isMap(raw)) {
    for (const [k, v] of Object.entries(raw)) out[k] = contextPath(v === null ? "" : goString(v), ctx);
  } else if (Array.isArray(raw)) {
    (raw as string[]).forEach((item, i) => {
      if (!item.includes("=")) {
        fail("invalid-additional-context", `${p}: invalid value ${item}, expected key=value`, posOf(ctx, `${p}.${i}`));
      }
    });
    for (const item of uniqueByKey(raw as string[])) {
      const eq = item.indexOf("=");
      out[item.slice(0, eq)] = contextPath(item.slice(eq + 1), ctx);
    }
  }
  return out;
}

/** transform/ssh.go, then the ssh path rule of paths (compose-loading-reference.md §8). */
function normalizeSsh(raw: Raw, p: string, ctx: NormalizeContext): ComposeSsh[] {
  const byId = new Map<string, string | undefined>();
  if (isMap(raw)) {
    for (const [id, v] of Object.entries(raw)) byId.set(id, v === null ? undefined : goString(v));
  } else if (Array.isArray(raw)) {
    (raw as string[]).forEach((item, i) => {
      const eq = item.indexOf("=");
      if (eq < 0) {
        if (item !== "default") fail("invalid-ssh-key", `invalid ssh key ${goQuote(item)}`, posOf(ctx, `${p}.${i}`));
        byId.set(item, undefined);
      } else {
        // The list becomes a Go map: a repeated id keeps its first place and its last path.
        byId.set(item.slice(0, eq), item.slice(eq + 1));
      }
    });
  }
  return [...byId].map(([id, sshPath]) =>
    sshPath === undefined || sshPath === "" ? { id } : { id, path: maybeUnixPath(sshPath, ctx) },
  );
}

/** transform/secrets.go transformFileMount: `- name` is `{source: name}`. Build secrets get no default target. */
function normalizeBuildSecrets(raw: Raw): ComposeServiceSecret[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((item): ComposeServiceSecret => {
    if (typeof item === "string") return { source: item };
    const m = item as RawMap;
    const secret: { -readonly [K in keyof ComposeServiceSecret]: ComposeServiceSecret[K] } = {
      source: typeof m.source === "string" ? m.source : "",
    };
    if (typeof m.target === "string") secret.target = m.target;
    if (typeof m.uid === "string") secret.uid = m.uid;
    if (typeof m.gid === "string") secret.gid = m.gid;
    if (typeof m.mode === "string" || typeof m.mode === "number") secret.mode = m.mode;
    return secret;
  });
}

/**
 * transform/ulimits.go accepts an int or a mapping; build.ulimits values are never cast from strings
 * (compose-loading-reference.md §2.6), so a string the schema lets through fails here.
 */
function normalizeUlimits(raw: Raw, p: string, ctx: NormalizeContext): Record<string, ComposeUlimit> {
  const out = dict<ComposeUlimit>();
  if (!isMap(raw)) return out;
  for (const [name, v] of Object.entries(raw)) {
    const at = `${p}.${name}`;
    if (typeof v === "number" && Number.isInteger(v)) {
      out[name] = { single: v };
    } else if (isMap(v)) {
      const limit: { soft?: number; hard?: number } = {};
      for (const key of ["soft", "hard"] as const) {
        const n = v[key];
        if (n === undefined) continue;
        if (typeof n !== "number" || !Number.isInteger(n)) {
          fail("invalid-ulimit", `${at}.${key}: invalid type ${goTypeName(n)} for ulimits`, posOf(ctx, `${at}.${key}`));
        }
        limit[key] = n;
      }
      out[name] = limit;
    } else {
      fail("invalid-ulimit", `${at}: invalid type ${goTypeName(v)} for ulimits`, posOf(ctx, at));
    }
  }
  return out;
}

/** types/hostList.go: `host=ip` / `host:ip` (first `=`, else first `:`), IPs split on `,`, brackets removed. */
function normalizeExtraHosts(raw: Raw, p: string, ctx: NormalizeContext): Record<string, string[]> {
  const out = dict<string[]>();
  if (isMap(raw)) {
    for (const [host, v] of Object.entries(raw)) out[host] = Array.isArray(v) ? v.map(goString) : [v === null ? "" : goString(v)];
  } else if (Array.isArray(raw)) {
    (raw as string[]).forEach((item, i) => {
      let cut = item.indexOf("=");
      if (cut < 0) cut = item.indexOf(":");
      if (cut < 0) fail("invalid-extra-host", `invalid additional host, missing IP: ${item}`, posOf(ctx, `${p}.${i}`));
      const host = item.slice(0, cut);
      (out[host] ??= []).push(...item.slice(cut + 1).split(","));
    });
  } else {
    return out;
  }
  for (const [host, ips] of Object.entries(out)) {
    if (host === "" || /[:=]/.test(host)) fail("invalid-extra-host", `bad host name '${host}'`, posOf(ctx, `${p}.${host}`));
    out[host] = ips.map((ip) => (ip.length > 2 && ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip));
  }
  return out;
}

/** types/bytes.go: an int is bytes, a string goes through go-units RAMInBytes. 0 is Go's "unset". */
function shmSize(raw: Raw, p: string, ctx: NormalizeContext): number | string | undefined {
  if (raw === undefined) return undefined;
  // Keep mode: a value holding variables is parsed by bake (buildx's MemBytes is go-units RAMInBytes too).
  if (typeof raw === "string" && hasToken(raw)) return raw;
  const bytes = typeof raw === "number" ? raw : ramInBytes(raw as string, p, ctx);
  return bytes === 0 ? undefined : bytes;
}

/**
 * go-units RAMInBytes (v0.5): the number is everything up to the last digit, `.` or space (one space before the
 * suffix is dropped), parsed by strconv.ParseFloat; the suffix is `b`, or k/m/g/t/p (binary multiples) optionally
 * followed by `b` or `ib`, any case. The result is truncated to an integer.
 */
function ramInBytes(s: string, p: string, ctx: NormalizeContext): number {
  const at = posOf(ctx, p);
  let sep = -1;
  for (let i = s.length - 1; i >= 0; i--) {
    if ("0123456789. ".includes(s[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep < 0) fail("invalid-size", `invalid size: '${s}'`, at);
  const num = s[sep] === " " ? s.slice(0, sep) : s.slice(0, sep + 1);
  let sfx = s.slice(sep + 1);
  if (!GO_FLOAT.test(num)) fail("invalid-size", `strconv.ParseFloat: parsing ${goQuote(num)}: invalid syntax`, at);
  let size = Number(num);
  if (!Number.isFinite(size)) fail("invalid-size", `strconv.ParseFloat: parsing ${goQuote(num)}: value out of range`, at);
  if (size < 0) fail("invalid-size", `invalid size: '${s}'`, at);
  if (sfx !== "") {
    const bad = () => fail("invalid-size", `invalid suffix: '${sfx}'`, at);
    if (sfx.length > 3) bad();
    sfx = sfx.toLowerCase();
    if (sfx[0] === "b") {
      if (sfx.length > 1) bad();
    } else {
      const mul = BINARY_UNITS[sfx[0]!];
      if (mul === undefined) bad();
      size *= mul!;
      if ((sfx.length === 2 && sfx[1] !== "b") || (sfx.length === 3 && sfx.slice(1) !== "ib")) bad();
    }
  }
  return Math.trunc(size);
}

/**
 * What strconv.ParseFloat accepts in decimal form (hex floats, inf and nan are left out: they never parse as sizes).
 * `\d+(\.\d*)?`, not `\d+\.?\d*`: two quantifiers over the same digits backtrack in quadratic time on a long
 * run of digits that fails later (`1…1x1`).
 */
const GO_FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BINARY_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** provenance / sbom: a string, or a bool written as "true"/"false". "" is Go's unset. */
function attestation(raw: Raw): string | undefined {
  if (typeof raw === "boolean") return String(raw);
  return nonEmpty(raw as string | undefined);
}

function optionalBoolean(raw: Raw, p: string, ctx: NormalizeContext): boolean | string | undefined {
  if (raw === undefined) return undefined;
  // Keep mode: a value holding variables is read as a boolean by bake (compose/keep.ts KeptBoolean).
  if (typeof raw === "string" && hasToken(raw)) return raw;
  return typeof raw === "boolean" ? raw : toBoolean(raw as string, p, ctx);
}

/** loader/interpolate.go toBoolean (also used by the mapstructure `cast` hook). */
function toBoolean(value: string, p: string, ctx: NormalizeContext): boolean {
  switch (value.toLowerCase()) {
    case "true":
    case "y":
    case "yes":
    case "on":
      return true;
    case "false":
    case "n":
    case "no":
    case "off":
      return false;
    default:
      fail("invalid-boolean", `invalid boolean: ${value}`, posOf(ctx, p));
  }
}

function strings(raw: Raw): string[] {
  return Array.isArray(raw) ? [...(raw as string[])] : [];
}

/** override/uncity.go: a later `K=…` item replaces the earlier item with the same K, in the earlier place. */
function uniqueByKey(items: readonly string[]): string[] {
  const out: string[] = [];
  const index = new Map<string, number>();
  for (const item of items) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, out.length);
      out.push(item);
    } else {
      out[at] = item;
    }
  }
  return out;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}

// ---------------------------------------------------------------------------------------------------------------
// Paths (paths/resolve.go, paths/context.go, paths/unix.go, paths/home.go)
// ---------------------------------------------------------------------------------------------------------------

// Implemented in ./paths, shared with the include and extends loaders.
// ---------------------------------------------------------------------------------------------------------------
// Go value formatting
// ---------------------------------------------------------------------------------------------------------------

/**
 * fmt.Sprint of a decoded YAML scalar. Integers print in full; other numbers follow Go's %v (go-format.ts). In
 * build args and labels the YAML layer already gives numbers as Go's text, floats written as `1.0` or `1e6`
 * included; elsewhere such a float can no longer be told from the integer and prints as one.
 */
function goString(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return goNumber(v);
  return String(v);
}

function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  return goFloatText(n);
}

/** Go's %T for a decoded YAML value, as shown in transform errors. */
function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float64";
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}


// ---------------------------------------------------------------------------------------------------------------
// Positions
// ---------------------------------------------------------------------------------------------------------------

/** The position of `p`, or of its nearest ancestor that has one. */
function posOf(ctx: { readonly positions: PositionTable }, p: string): SourcePos | undefined {
  let key = p;
  for (;;) {
    const pos = ctx.positions.get(key);
    if (pos) return pos;
    const dot = key.lastIndexOf(".");
    if (dot < 0) return undefined;
    key = key.slice(0, dot);
  }
}

/** A record without a prototype, so keys such as `__proto__` are plain keys. */
function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function isMap(v: unknown): v is RawMap {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
