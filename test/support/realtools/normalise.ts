/** Normalising what `bake --print` writes, so two bake files that build the same thing compare equal. */
import * as fs from "node:fs";
import * as path from "node:path";
import { dict } from "../../../src/dict";
import type { BakePrint, BakePrintTarget } from "./bake";

/**
 * A value after normalising: strings, booleans, null, sorted string lists, or maps keyed by name
 * (a keyed set such as secrets-by-id is a map too, so a difference names the entry).
 */
export type NormalisedValue = string | boolean | null | string[] | { [key: string]: string | null };

export type NormalisedTarget = { [field: string]: NormalisedValue };

export interface NormalisedBake {
  /** group name → sorted target names. */
  groups: Record<string, string[]>;
  targets: Record<string, NormalisedTarget>;
}

/**
 * Per field: how it is made canonical, and whether order is kept. Order is dropped only where bake or
 * BuildKit gives it no meaning; everything else keeps the order bake printed.
 *
 * | field | canonical form | order |
 * |---|---|---|
 * | context | local path → absolute, real path; remote/`target:`/`docker-image://` kept | - |
 * | dockerfile | relative + local context → joined onto the context (what bake does at build time), absolute, real path | - |
 * | contexts | map; local values absolute like context | keys |
 * | args, labels, extra-hosts | map (bake's `$${` escaping kept as printed) | keys; the IP list inside an extra-hosts value keeps its order (first match wins in /etc/hosts) |
 * | tags | deduplicated set | sorted: every tag names the same image; bake itself dedups |
 * | secret | map id → `type=file,src=<abs>` / `type=env,env=V` | by id: bake merges secrets by id and BuildKit looks them up by id |
 * | ssh | map id → comma-joined absolute paths; `default=` (paths `[""]`) = `default` (no paths) | by id (bake sorts them itself). Both forms make buildx use SSH_AUTH_SOCK: the error for either is "agent config {default [] false}" |
 * | cache-from, cache-to, output | canonical CSV `type=…,k=v` (keys sorted, local src/dest absolute) | sorted: BuildKit imports/exports all of them |
 * | attest | map type → canonical CSV of the other attributes (`disabled=true` kept: it is not the same as absent) | by type (bake merges by type) |
 * | ulimits | map name → `soft:hard` | by name (compose writes them in Go map order) |
 * | entitlements, no-cache-filter, annotations | set | sorted |
 * | platforms | list | **kept**: it orders the manifest list of a multi-platform image |
 * | shm-size | bytes, as a decimal string (`2g`, `2GiB`, `2147483648` are equal); 0 dropped (buildx passes only a size above 0) | - |
 * | pull, no-cache | `false` dropped (same as absent) | - |
 * | anything else | canonical JSON text | - |
 */
export function normaliseBakePrint(json: BakePrint, baseDir: string): NormalisedBake {
  const groups = dict<string[]>();
  for (const [name, g] of Object.entries(json.group ?? {})) groups[name] = uniqueSorted(g.targets ?? []);
  const targets = dict<NormalisedTarget>();
  for (const [name, t] of Object.entries(json.target ?? {})) targets[name] = normaliseTarget(t, baseDir);
  return { groups, targets };
}

function normaliseTarget(t: BakePrintTarget, baseDir: string): NormalisedTarget {
  const out: NormalisedTarget = {};
  const context = t.context ?? ".";
  const localContext = isLocalPath(context);
  for (const [field, value] of Object.entries(t)) {
    if (value === undefined) continue;
    switch (field) {
      case "context":
        out[field] = localPathOrKeep(String(value), baseDir);
        break;
      case "dockerfile": {
        const df = String(value);
        if (df === "-" || !localContext) out[field] = df;
        else if (df.startsWith("cwd://")) out[field] = absoluteReal(df.slice("cwd://".length), baseDir);
        else out[field] = absoluteReal(df, path.resolve(baseDir, context));
        break;
      }
      case "contexts":
        out[field] = mapOf(value, (v) => (v === null ? null : localPathOrKeep(v, baseDir)));
        break;
      case "args":
      case "labels":
      case "extra-hosts":
        out[field] = mapOf(value, (v) => v);
        break;
      case "tags":
      case "entitlements":
      case "no-cache-filter":
      case "annotations":
        out[field] = uniqueSorted(asArray(value).map(String));
        break;
      case "secret":
        out[field] = keyedSecrets(asArray(value), baseDir);
        break;
      case "ssh":
        out[field] = keyedSsh(asArray(value), baseDir);
        break;
      case "cache-from":
      case "cache-to":
      case "output":
        out[field] = asArray(value)
          .map((e) => canonicalCsv(entryAttributes(e, field), baseDir))
          .sort();
        break;
      case "attest":
        out[field] = keyedAttests(asArray(value));
        break;
      case "ulimits":
        out[field] = keyedUlimits(asArray(value).map(String));
        break;
      case "platforms":
        out[field] = asArray(value).map(String);
        break;
      case "shm-size": {
        // buildx passes a size only when it is above 0 (build/opt.go toSolveOpt): "0" is the same as absent.
        const bytes = bytesOrKeep(String(value));
        if (bytes !== "0") out[field] = bytes;
        break;
      }
      case "pull":
      case "no-cache":
        if (value === true) out[field] = true;
        else if (value !== false) out[field] = canonicalJson(value);
        break;
      default:
        out[field] = typeof value === "string" || typeof value === "boolean" ? value : canonicalJson(value);
    }
  }
  return out;
}

/** Bake's notion of a remote or non-path value: URLs, git refs, `target:`/`docker-image://`/`oci-layout://`. */
function isLocalPath(value: string): boolean {
  if (value.startsWith("cwd://")) return true;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(value)) return false;
  if (value.startsWith("target:") || value.startsWith("git@") || value.startsWith("github.com/")) return false;
  return true;
}

function localPathOrKeep(value: string, baseDir: string): string {
  if (!isLocalPath(value)) return value;
  return absoluteReal(value.startsWith("cwd://") ? value.slice("cwd://".length) : value, baseDir);
}

/**
 * Absolute, cleaned (path.resolve drops `.`, `..` and doubled `/`: bake prints a kept path as the file wrote it,
 * `./sub/../x` or `${homedir()}/` + `x`, where Compose prints it cleaned; both name the same folder), and with
 * symlinks resolved as far as the path exists (docker compose resolves the symlinks of
 * the Dockerfile's folder; a build reads the same files either way, so the comparison must not care).
 */
function absoluteReal(p: string, baseDir: string): string {
  const abs = path.resolve(baseDir, p);
  let existing = abs;
  const rest: string[] = [];
  while (!fs.existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) return abs;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  return path.join(fs.realpathSync.native(existing), ...rest);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function uniqueSorted(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function mapOf(value: unknown, f: (v: string | null) => string | null): { [key: string]: string | null } {
  const out = dict<string | null>();
  if (value && typeof value === "object") {
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      out[key] = f(v === null || v === undefined ? null : String(v));
    }
  }
  return out;
}

/** Splits `a=b,c=d` (bake's CSV attribute form; values with commas may be double-quoted). */
export function parseCsv(text: string): Array<[string, string | undefined]> {
  const fields: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      fields.push(cur);
      cur = "";
    } else cur += ch;
  }
  fields.push(cur);
  return fields
    .filter((f) => f !== "")
    .map((f) => {
      const eq = f.indexOf("=");
      return eq < 0 ? [f.trim(), undefined] : [f.slice(0, eq).trim().toLowerCase(), f.slice(eq + 1)];
    });
}

/** The attributes of a cache/output/attest entry, from its object or CSV form. */
function entryAttributes(entry: unknown, field: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  if (entry && typeof entry === "object") {
    for (const [k, v] of Object.entries(entry)) attrs[k] = typeof v === "string" ? v : JSON.stringify(v);
    return attrs;
  }
  const text = String(entry);
  const parts = parseCsv(text);
  if ((field === "cache-from" || field === "cache-to") && !text.includes("=")) {
    return { type: "registry", ref: text }; // `user/app:cache` means a registry ref (ParseCacheEntry)
  }
  if (field === "output" && !text.includes("=")) {
    return text === "-" ? { type: "tar", dest: "-" } : { type: "local", dest: text };
  }
  for (const [k, v] of parts) attrs[k] = v ?? "";
  return attrs;
}

const PATH_ATTRIBUTES = new Set(["src", "dest"]);

/** `type=…` first, then the other attributes sorted; local src/dest made absolute. */
function canonicalCsv(attrs: Record<string, string>, baseDir: string | undefined): string {
  const keys = Object.keys(attrs)
    .filter((k) => k !== "type")
    .sort();
  const parts = attrs.type !== undefined ? [`type=${attrs.type}`] : [];
  for (const k of keys) {
    let v = attrs[k] ?? "";
    if (baseDir !== undefined && PATH_ATTRIBUTES.has(k) && v !== "-" && v !== "" && isLocalPath(v)) {
      v = absoluteReal(v, baseDir);
    }
    parts.push(`${k}=${v}`);
  }
  return parts.join(",");
}

function keyedSecrets(entries: unknown[], baseDir: string): { [id: string]: string } {
  const out = dict<string>();
  for (const e of entries) {
    const a: Record<string, string> = {};
    if (e && typeof e === "object") {
      for (const [k, v] of Object.entries(e)) if (v !== undefined && v !== null) a[k] = String(v);
    } else {
      for (const [k, v] of parseCsv(String(e))) a[k === "source" ? "src" : k] = v ?? "";
    }
    const id = a.id ?? "";
    // Bake's rule: env set → env secret; otherwise a file (src defaults to a file named like the id).
    const env = a.env ?? (a.type === "env" ? id : undefined);
    out[id] =
      env !== undefined && a.type !== "file"
        ? `type=env,env=${env}`
        : `type=file,src=${absoluteReal(a.src ?? id, baseDir)}`;
  }
  return out;
}

function keyedSsh(entries: unknown[], baseDir: string): { [id: string]: string } {
  const out = dict<string>();
  for (const e of entries) {
    let id: string;
    let paths: string[];
    if (e && typeof e === "object") {
      const o = e as { id?: unknown; paths?: unknown };
      id = String(o.id ?? "");
      paths = Array.isArray(o.paths) ? o.paths.map(String) : [];
    } else {
      const text = String(e);
      const eq = text.indexOf("=");
      id = eq < 0 ? text : text.slice(0, eq);
      paths = eq < 0 ? [] : text.slice(eq + 1).split(",");
    }
    // `default=` (compose) is printed as paths [""]: the same as no path (the agent from SSH_AUTH_SOCK).
    paths = paths.filter((p) => p !== "").map((p) => absoluteReal(p, baseDir));
    out[id] = paths.join(",");
  }
  return out;
}

function keyedAttests(entries: unknown[]): { [type: string]: string } {
  const out: { [type: string]: string } = {};
  for (const e of entries) {
    const attrs = entryAttributes(e, "attest");
    const type = attrs.type ?? "";
    const rest = { ...attrs };
    delete rest.type;
    out[type] = canonicalCsv(rest, undefined);
  }
  return out;
}

function keyedUlimits(entries: string[]): { [name: string]: string } {
  const out = dict<string>();
  for (const e of entries) {
    const eq = e.indexOf("=");
    const name = eq < 0 ? e : e.slice(0, eq);
    const value = eq < 0 ? "" : e.slice(eq + 1);
    out[name] = value.includes(":") ? value : `${value}:${value}`; // `n=1024` means soft = hard = 1024
  }
  return out;
}

/** go-units RAMInBytes: binary units, optional `b`/`ib` suffix. Unparseable values are kept as written. */
function bytesOrKeep(value: string): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?\s*$/i.exec(value);
  if (!m) return value;
  const unit = "bkmgtp".indexOf((m[2] || "b").toLowerCase());
  return String(Math.round(Number(m[1]) * 1024 ** unit));
}

export function canonicalJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sortKeys(value));
}
