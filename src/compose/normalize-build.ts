/**
 * Turns one service's raw `build:` value (already interpolated and merged) into a ComposeBuild, the way compose-go
 * loads it (top-level `secrets:` are normalize-secrets.ts's; Go's value formats are go-format.ts's)
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
import { decodingMessage, goBoolean, goQuote, goString, goTypeName, ramInBytes } from "./go-format";
import { fail } from "../diagnostics";
import { dict } from "../dict";
import type { Lookup } from "./interpolate";
import { decodeTokens, hasToken } from "./keep-token";
import type { KeptVariables } from "./keep";
import { contextPath, maybeUnixPath } from "./paths";
import type { KeepPath } from "./keep-path";
import { isKeptSshItem } from "./keep-ssh";
import { isKeptKeyItem } from "./keep-key-values";
import { keptKeyValueList } from "./normalize-key-values";
import { invalidContextMessage, isKeptContextItem, type KeptContextEntry } from "./keep-contexts";
import { contextItemOf } from "./keep-contexts-canonical";
import { placeOf } from "./positions";
import { buildMapping, isMap, nonEmpty, type PlainMap } from "./raw";
import type { ComposeBuild, ComposeServiceSecret, ComposeSsh, ComposeUlimit, PositionTable } from "./model";

export interface NormalizeContext {
  /** Absolute project directory: relative local paths resolve from here. */
  readonly workingDir: string;
  /** Home directory for `~` expansion (never read process.env yourself). */
  readonly home: string;
  /** Project environment (process env + env files) for value-less args. */
  readonly lookupEnv: Lookup;
  /** Keep mode: how a path holding kept references is kept (keep-path.ts). */
  readonly keepPath?: KeepPath;
  /** Source positions by dotted path, e.g. "services.web.build.args.FOO"; the nearest ancestor with one is used. */
  readonly positions: PositionTable;
  /** Keep mode: records the forms and checks of values Compose reshapes (keep-forms.ts). */
  readonly kept?: KeptVariables;
}

type Raw = unknown;

// ---------------------------------------------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------------------------------------------

/** Normalises `services.<name>.build` (`servicePath` is `services.<name>`). Throws a CompileError on invalid input. */
export function normalizeBuild(raw: unknown, servicePath: string, ctx: NormalizeContext): ComposeBuild {
  const buildPath = `${servicePath}.build`;

  // transform/build.go: `build: ./dir` is `{context: ./dir}`.
  const build = buildMapping(raw as PlainMap | string) as PlainMap;
  const at = (key: string) => `${buildPath}.${key}`;
  const service = servicePath.slice("services.".length);

  // Keep mode: a list whose keys hold variables is one map bake builds (normalize-key-values.ts).
  const argsKept = keptKeyValueList("args", build.args, service, ctx.kept, ctx.lookupEnv);
  const labelsKept = keptKeyValueList("labels", build.labels, service, ctx.kept, ctx.lookupEnv);
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
    ...(argsKept === undefined ? {} : { args: {}, args_kept: argsKept }),
    ssh: normalizeSsh(build.ssh, at("ssh"), ctx),
    labels: labelsKept === undefined ? keyValueMapping(build.labels, () => "") : {},
    ...(labelsKept === undefined ? {} : { labels_kept: labelsKept }),
    cache_from: strings(build.cache_from),
    cache_to: strings(build.cache_to),
    no_cache: optionalBoolean(build.no_cache, at("no_cache"), ctx, service),
    no_cache_filter:
      typeof build.no_cache_filter === "string" ? [build.no_cache_filter] : strings(build.no_cache_filter),
    ...normalizeAdditionalContexts(build.additional_contexts, at("additional_contexts"), ctx),
    network: nonEmpty(build.network as string | undefined),
    provenance: attestation(build.provenance),
    sbom: attestation(build.sbom),
    pull: optionalBoolean(build.pull, at("pull"), ctx, service),
    target: nonEmpty(build.target as string | undefined),
    shm_size: shmSize(build.shm_size, at("shm_size"), ctx, service),
    ...normalizeExtraHosts(build.extra_hosts, at("extra_hosts"), ctx, service),
    isolation: nonEmpty(build.isolation as string | undefined),
    privileged: optionalBoolean(build.privileged, at("privileged"), ctx, service),
    secrets: normalizeBuildSecrets(build.secrets),
    tags: uniqueByKey(strings(build.tags)),
    ulimits: normalizeUlimits(build.ulimits, at("ulimits"), ctx),
    platforms: strings(build.platforms),
    entitlements: strings(build.entitlements),
    extensions,
  };
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
      placeOf(positions, `services.${serviceName}.build.dockerfile_inline`),
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
      if (endsInGoSpace(key)) {
        fail(
          "arg-trailing-space",
          `environment variable ${key} is declared with a trailing space`,
          placeOf(ctx.positions, `${p}.${i}`),
        );
      }
    });
    // Keep mode: a list holding kept keys is the args_kept map instead (its literal items were checked above).
    if (ctx.kept && raw.some(isKeptKeyItem)) return out;
    for (const item of uniqueByKey(raw as string[])) {
      const eq = item.indexOf("=");
      set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? undefined : item.slice(eq + 1));
    }
  }
  return out;
}

/**
 * types.MappingWithEquals's check of a list key: Go's unicode.IsSpace of its last BYTE read as a rune, so a
 * character whose UTF-8 form ends in 0x85 or 0xA0 (`Å`, U+2005) counts as a space too, as docker compose refuses it.
 */
export function endsInGoSpace(key: string): boolean {
  const last = key.codePointAt(key.length - 1 - (key.length > 1 && /[\udc00-\udfff]$/.test(key) ? 1 : 0));
  if (last === undefined) return false;
  if (last < 0x80) return last === 0x20 || (last >= 0x09 && last <= 0x0d);
  const byte = 0x80 | (last & 0x3f);
  return byte === 0x85 || byte === 0xa0;
}

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

/**
 * transform/mapping.go transformKeyValue, then paths/context.go for each value. Keep mode: a list holding kept
 * items (a name from a variable) is the map bake builds (keep-contexts.ts); `additional_contexts` then holds its
 * entries whose name is literal, for the checks and the `service:` dependencies.
 */
function normalizeAdditionalContexts(
  raw: Raw,
  p: string,
  ctx: NormalizeContext,
): Pick<ComposeBuild, "additional_contexts" | "additional_contexts_kept"> {
  if (Array.isArray(raw) && ctx.kept && raw.some(isKeptContextItem))
    return keptContexts(raw as string[], p, ctx, ctx.kept);
  return { additional_contexts: additionalContexts(raw, p, ctx) };
}

function keptContexts(
  raw: readonly string[],
  p: string,
  ctx: NormalizeContext,
  kept: KeptVariables,
): Pick<ComposeBuild, "additional_contexts" | "additional_contexts_kept"> {
  const literal = dict<string>();
  const items = raw.map((item, i): KeptContextEntry => {
    if (!isKeptContextItem(item)) {
      if (!item.includes("="))
        fail("invalid-additional-context", invalidContextMessage(p, item), placeOf(ctx.positions, `${p}.${i}`));
      const eq = item.indexOf("=");
      return { name: item.slice(0, eq), value: contextPath(item.slice(eq + 1), ctx, "additional-context") };
    }
    // A kept item of the main project's files: its value is from the project folder.
    const token = ctx.keepPath?.(item, "additional-context", ctx.workingDir) ?? item;
    const piece = contextItemOf(kept, token);
    // An item whose name is literal (wrapped by canonicalizeKeptContexts) is an entry of its own: it holds a `=`.
    const lead = decodeTokens(piece.value)[0];
    if (typeof lead !== "string" || !lead.includes("=")) return { item: token };
    const eq = piece.value.indexOf("=");
    const at = { workingDir: piece.base ?? ctx.workingDir, home: ctx.home, keepPath: ctx.keepPath };
    return { name: piece.value.slice(0, eq), value: contextPath(piece.value.slice(eq + 1), at, "additional-context") };
  });
  for (const e of items) if ("name" in e) literal[e.name] = e.value;
  return {
    additional_contexts: literal,
    additional_contexts_kept: kept.form({ kind: "form", form: "context-list", items }),
  };
}

function additionalContexts(raw: Raw, p: string, ctx: NormalizeContext): Record<string, string> {
  const out = dict<string>();
  if (isMap(raw)) {
    for (const [k, v] of Object.entries(raw))
      out[k] = contextPath(v === null ? "" : goString(v), ctx, "additional-context");
  } else if (Array.isArray(raw)) {
    (raw as string[]).forEach((item, i) => {
      if (!item.includes("=")) {
        fail("invalid-additional-context", invalidContextMessage(p, item), placeOf(ctx.positions, `${p}.${i}`));
      }
    });
    for (const item of uniqueByKey(raw as string[])) {
      const eq = item.indexOf("=");
      out[item.slice(0, eq)] = contextPath(item.slice(eq + 1), ctx, "additional-context");
    }
  }
  return out;
}

/** transform/ssh.go, then the ssh path rule of paths (compose-loading-reference.md §8). */
function normalizeSsh(raw: Raw, p: string, ctx: NormalizeContext): ComposeSsh[] {
  const byId = new Map<string, string | undefined>();
  if (isMap(raw)) {
    for (const [id, v] of Object.entries(raw)) {
      // A kept ssh item (keep-ssh.ts) of the main project's files: its path is from the project folder.
      const key = isKeptSshItem(id) ? (ctx.keepPath?.(id, "unix", ctx.workingDir) ?? id) : id;
      byId.set(key, v === null ? undefined : goString(v));
    }
  } else if (Array.isArray(raw)) {
    (raw as string[]).forEach((item, i) => {
      const eq = item.indexOf("=");
      if (eq < 0) {
        // A list still holding a kept item was left for its literal items' errors (canonicalizeSsh).
        if (isKeptSshItem(item)) return;
        if (item !== "default")
          fail("invalid-ssh-key", `invalid ssh key ${goQuote(item)}`, placeOf(ctx.positions, `${p}.${i}`));
        byId.set(item, undefined);
      } else {
        // The list becomes a Go map: a repeated id keeps its first place and its last path.
        byId.set(item.slice(0, eq), item.slice(eq + 1));
      }
    });
  }
  return [...byId].map(([id, sshPath]) =>
    // compose-go's maybeUnixPath joins an empty path to the folder (`k=` is the project folder); only an id
    // without a value (`- default`, `default: null`) is the agent.
    sshPath === undefined ? { id } : { id, path: maybeUnixPath(sshPath, ctx) },
  );
}

/** transform/secrets.go transformFileMount: `- name` is `{source: name}`. Build secrets get no default target. */
function normalizeBuildSecrets(raw: Raw): ComposeServiceSecret[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((item): ComposeServiceSecret => {
    if (typeof item === "string") return { source: item };
    const m = item as PlainMap;
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
 * (compose-loading-reference.md §2.6), so a string the schema lets through fails here, with compose-go's words
 * (`invalid type string for external`: its message says `external` for ulimits too).
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
          fail(
            "invalid-ulimit",
            `${at}.${key}: invalid type ${goTypeName(n)} for external`,
            placeOf(ctx.positions, `${at}.${key}`),
          );
        }
        limit[key] = n;
      }
      out[name] = limit;
    } else {
      fail("invalid-ulimit", `${at}: invalid type ${goTypeName(v)} for external`, placeOf(ctx.positions, at));
    }
  }
  return out;
}

/**
 * types/hostList.go: `host=ip` / `host:ip` (first `=`, else first `:`), IPs split on `,`, brackets removed.
 * Keep mode: when a host name holds a variable, bake builds the map (the `host-list` form) and the items whose
 * host is known are checked now.
 */
function normalizeExtraHosts(
  raw: Raw,
  p: string,
  ctx: NormalizeContext,
  service: string,
): Pick<ComposeBuild, "extra_hosts" | "extra_hosts_kept"> {
  const out = dict<string[]>();
  // Where each host was first written, for its error.
  const placeOfHost = new Map<string, string>();
  const refuse = (message: string, at: string): never =>
    fail("invalid-extra-host", decodingMessage(service, "build.extra_hosts", message), placeOf(ctx.positions, at));
  let kept = false;
  if (isMap(raw)) {
    for (const [host, v] of Object.entries(raw)) {
      placeOfHost.set(host, `${p}.${host}`);
      out[host] = (Array.isArray(v) ? v.map(goString) : [v === null ? "" : goString(v)]).map((ip) =>
        keptIps(ip, false, ctx),
      );
    }
  } else if (Array.isArray(raw)) {
    (raw as string[]).forEach((item, i) => {
      let cut = item.indexOf("=");
      if (cut < 0) cut = item.indexOf(":");
      if (ctx.kept && hasToken(cut < 0 ? item : item.slice(0, cut))) {
        // The host (or the separator) comes from a variable: only bake can cut this item.
        ctx.kept.checks.push({ rule: "host-item", value: item, service });
        kept = true;
        return;
      }
      if (cut < 0) refuse(`invalid additional host, missing IP: ${item}`, `${p}.${i}`);
      const host = item.slice(0, cut);
      const ips = item.slice(cut + 1);
      if (!placeOfHost.has(host)) placeOfHost.set(host, `${p}.${i}`);
      // Keep mode: Compose cuts at the first `=` after interpolating, so a `:` item whose value holds one fails.
      if (item[cut] === ":" && hasToken(ips)) ctx.kept?.checks.push({ rule: "no-equals", value: ips, host });
      (out[host] ??= []).push(...(hasToken(ips) ? [keptIps(ips, true, ctx)] : ips.split(",")));
    });
  } else {
    return { extra_hosts: out };
  }
  for (const [host, ips] of Object.entries(out)) {
    if (host === "" || /[:=]/.test(host)) refuse(`bad host name '${host}'`, placeOfHost.get(host)!);
    out[host] = ips.map((ip) =>
      !hasToken(ip) && ip.length > 2 && ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip,
    );
  }
  if (!kept || !ctx.kept) return { extra_hosts: out };
  return {
    extra_hosts: dict<string[]>(),
    extra_hosts_kept: ctx.kept.form({ kind: "form", form: "host-list", items: [...(raw as string[])] }),
  };
}

/** Keep mode: IPs holding variables, split and unbracketed by bake (keep-forms.ts `host-ips`). */
function keptIps(value: string, split: boolean, ctx: NormalizeContext): string {
  if (!hasToken(value) || !ctx.kept) return value;
  return ctx.kept.form({ kind: "form", form: "host-ips", value, split });
}

/** types/bytes.go: an int is bytes, a string goes through go-units RAMInBytes. 0 is Go's "unset". */
function shmSize(raw: Raw, p: string, ctx: NormalizeContext, service: string): number | string | undefined {
  if (raw === undefined) return undefined;
  // Keep mode: a value holding variables is parsed by bake (buildx's MemBytes is go-units RAMInBytes too). Compose
  // decodes every service, active or not, so its check is a validation too, which bake runs whatever it builds.
  if (typeof raw === "string" && hasToken(raw)) {
    ctx.kept?.checks.push({ rule: "size", value: raw, service, key: "shm_size" });
    return raw;
  }
  const bytes =
    typeof raw === "number"
      ? raw
      : ramInBytes(raw as string, (message) =>
          fail("invalid-size", decodingMessage(service, "build.shm_size", message), placeOf(ctx.positions, p)),
        );
  return bytes === 0 ? undefined : bytes;
}

/** provenance / sbom: a string, or a bool written as "true"/"false". "" is Go's unset. */
function attestation(raw: Raw): string | undefined {
  if (typeof raw === "boolean") return String(raw);
  return nonEmpty(raw as string | undefined);
}

function optionalBoolean(raw: Raw, p: string, ctx: NormalizeContext, service: string): boolean | string | undefined {
  if (raw === undefined) return undefined;
  // Keep mode: a value holding variables is read as a boolean by bake (compose/keep.ts KeptBoolean).
  if (typeof raw === "string" && hasToken(raw)) {
    // Compose decodes every service, active or not, so its check is a validation whatever bake builds.
    ctx.kept?.checks.push({ rule: "boolean", value: raw, path: p });
    return raw;
  }
  if (typeof raw === "boolean") return raw;
  const b = goBoolean(raw as string);
  if (b === undefined) {
    const key = p.slice(p.lastIndexOf(".") + 1);
    fail(
      "invalid-boolean",
      decodingMessage(service, `build.${key}`, `invalid boolean: ${raw}`),
      placeOf(ctx.positions, p),
    );
  }
  return b;
}

/** loader/interpolate.go toBoolean, with the error at `p`. */
export function toBoolean(value: string, p: string, ctx: { readonly positions: PositionTable }): boolean {
  const b = goBoolean(value);
  if (b === undefined) fail("invalid-boolean", `invalid boolean: ${value}`, placeOf(ctx.positions, p));
  return b;
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
