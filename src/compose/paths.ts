/**
 * Path rules of compose-go (paths/resolve.go, paths/context.go, paths/unix.go, paths/home.go;
 * compose-loading-reference.md §8), shared by normalisation and by the include / extends loaders, which
 * resolve an included or extended file's relative paths from its own folder before merging.
 */
import * as path from "../platform/path";
import { buildMapping, isMap, type PlainMap, type PlainValue } from "./raw";
import { hasToken } from "./keep-token";
import type { KeepPath, PathRule } from "./keep-path";
import { isKeptSshItem } from "./keep-ssh";
import { isKeptContextItem } from "./keep-contexts";

interface PathContext {
  readonly workingDir: string;
  readonly home: string;
  /** Keep mode: a value holding kept references becomes a kept path from this folder (keep-path.ts). */
  readonly keepPath?: KeepPath;
}

/** A value holding kept references, kept with its folder; undefined for a literal one (or outside keep mode). */
function kept(value: string, rule: PathRule, ctx: PathContext): string | undefined {
  return ctx.keepPath !== undefined && hasToken(value) ? ctx.keepPath(value, rule, ctx.workingDir) : undefined;
}

export const REMOTE_PREFIXES = ["https://", "http://", "git://", "ssh://", "github.com/", "git@"];

/** Contexts: `://` anywhere, `service:` and git/http prefixes are kept; other values are local paths. */
export function contextPath(value: string, ctx: PathContext, rule: PathRule = "context"): string {
  const k = kept(value, rule, ctx);
  if (k !== undefined) return k;
  // compose-go's absPath leaves "" as it is: an empty additional context reaches bake empty (which drops it).
  if (value === "" && rule === "additional-context") return value;
  if (value.includes("://") || value.startsWith("service:") || REMOTE_PREFIXES.some((r) => value.startsWith(r)))
    return value;
  const expanded = expandUser(value, ctx.home);
  return expanded.startsWith("/") ? expanded : goJoin(ctx.workingDir, expanded);
}

/** ssh keys and secret files: kept when absolute in Unix or Windows form, else joined with the project folder. */
export function maybeUnixPath(value: string, ctx: PathContext): string {
  const k = kept(value, "unix", ctx);
  if (k !== undefined) return k;
  const expanded = expandUser(value, ctx.home);
  if (expanded.startsWith("/") || isWindowsAbs(expanded)) return expanded;
  return goJoin(ctx.workingDir, expanded);
}

/** `~` followed by anything is the home folder joined with the rest (so `~user/x` is `$HOME/user/x`). */
export function expandUser(p: string, home: string): string {
  return p.startsWith("~") ? goJoin(home, p.slice(1)) : p;
}

function isWindowsAbs(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || /^[\\/]{2}[^\\/]/.test(p);
}

/** Go's filepath.Join: empty parts ignored, result cleaned (no trailing slash). */
export function goJoin(...parts: string[]): string {
  const kept = parts.filter((x) => x !== "");
  if (kept.length === 0) return "";
  const joined = path.posix.normalize(kept.join("/"));
  return joined.length > 1 && joined.endsWith("/") ? joined.slice(0, -1) : joined;
}

type Raw = unknown;

/**
 * Makes the relative paths of one raw (not yet normalised) service absolute against `ctx.workingDir`:
 * build context, local additional contexts, ssh key paths and label files. With `defaultContext`, a build without a
 * context gets this folder (an included project's defaults); without it the context stays unset so the
 * top-level default applies later (compose-go's rule for extended files).
 */
export function resolveRawServicePaths(service: Raw, ctx: PathContext, options: { defaultContext: boolean }): Raw {
  if (!isMap(service)) return service;
  if (service.label_file !== undefined)
    return resolveBuildPaths({ ...service, label_file: labelFiles(service.label_file, ctx) }, ctx, options);
  return resolveBuildPaths(service, ctx, options);
}

function resolveBuildPaths(service: PlainMap, ctx: PathContext, options: { defaultContext: boolean }): Raw {
  if (service.build === undefined) return service;
  // `build: ./dir` is `{context: ./dir}` here too, so the context is resolved like a written one.
  const build = buildMapping(service.build);
  if (!isMap(build)) return service;
  const out: Record<string, unknown> = { ...build };
  // compose-go's absPath leaves an empty path empty: an empty context (`"${DIR+}"` with DIR unset) becomes "."
  // only when the whole project is normalised, so it is the main project's folder, not this file's.
  if (typeof build.context === "string") out.context = build.context === "" ? "" : contextPath(build.context, ctx);
  else if (build.context === undefined && options.defaultContext) out.context = ctx.workingDir;
  const contexts = build.additional_contexts;
  if (isMap(contexts)) {
    out.additional_contexts = Object.fromEntries(
      Object.entries(contexts).map(([k, v]) => [
        k,
        typeof v === "string" ? contextPath(v, ctx, "additional-context") : v,
      ]),
    );
  } else if (Array.isArray(contexts)) {
    out.additional_contexts = contexts.map((item) => {
      // A kept context item (keep-contexts.ts) takes this folder for its value.
      if (isKeptContextItem(item)) return kept(item as string, "additional-context", ctx) ?? item;
      if (typeof item !== "string" || !item.includes("=")) return item;
      const i = item.indexOf("=");
      return `${item.slice(0, i)}=${contextPath(item.slice(i + 1), ctx, "additional-context")}`;
    });
  }
  const ssh = build.ssh;
  // A kept ssh item (keep-ssh.ts; an item or, once the list is a mapping, a key) takes this folder for its path.
  const sshItem = (item: string): string => (isKeptSshItem(item) ? (kept(item, "unix", ctx) ?? item) : item);
  if (isMap(ssh)) {
    out.ssh = Object.fromEntries(
      Object.entries(ssh).map(([k, v]) => [sshItem(k), typeof v === "string" ? maybeUnixPath(v, ctx) : v]),
    );
  } else if (Array.isArray(ssh)) {
    out.ssh = ssh.map((item) => {
      if (typeof item === "string") item = sshItem(item);
      if (typeof item !== "string" || !item.includes("=")) return item;
      const i = item.indexOf("=");
      // An empty path (`k=`) is this folder, as in compose-go's maybeUnixPath; only `- default` means the agent.
      return `${item.slice(0, i)}=${maybeUnixPath(item.slice(i + 1), ctx)}`;
    });
  }
  return { ...service, build: out };
}

/** `label_file` (a path or a list of them) from the declaring file's folder, compose-go's absPath. */
function labelFiles(value: PlainValue, ctx: PathContext): PlainValue {
  if (Array.isArray(value)) return value.map((v) => labelFiles(v, ctx));
  return typeof value === "string" ? absPath(value, ctx) : value;
}

/** paths/resolve.go absPath: `~` expanded, absolute kept, empty left empty, else joined with the folder. */
export function absPath(value: string, ctx: { readonly workingDir: string; readonly home: string }): string {
  if (hasToken(value)) return value;
  const expanded = expandUser(value, ctx.home);
  if (expanded.startsWith("/") || expanded === "") return expanded;
  return goJoin(ctx.workingDir, expanded);
}

/** Makes `secrets.*.file` absolute against `ctx.workingDir`. */
export function resolveRawSecretPaths(secrets: Raw, ctx: PathContext): Raw {
  if (!isMap(secrets)) return secrets;
  return Object.fromEntries(
    Object.entries(secrets).map(([k, v]) =>
      isMap(v) && typeof v.file === "string" ? [k, { ...v, file: maybeUnixPath(v.file, ctx) }] : [k, v],
    ),
  );
}
