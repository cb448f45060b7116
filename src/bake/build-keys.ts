/**
 * The per-key table of the conversion. BUILD_KEYS has a row for every key of ComposeBuild (the type says so: a key
 * added to the model fails type-checking here until someone decides what bake does with it), in the order the
 * attributes are written; a row is either the conversion or the key whose row converts it too. What a row needs of
 * the project is asked of a KeyConverter (target.ts's TargetConverter).
 */
import type { ComposeBuild, ComposeService } from "../compose/model";
import type { KeptVariables } from "../compose/keep";
import { hasToken } from "../compose/keep-token";
import type { PlaceOf } from "../compose/positions";
import type { DiagnosticBag } from "../diagnostics";
import { dict, dictCopy } from "../dict";
import { compareCodeUnits } from "./escape";
import type { BakeString, BakeTarget } from "./model";
import { applyXBake, uniqueBy } from "./x-bake";

/** What the rows ask of the converter of one project. */
export interface KeyConverter {
  readonly diagnostics: DiagnosticBag;
  readonly names: ReadonlyMap<string, string>;
  readonly placeOf: PlaceOf;
  readonly valueKey: (s: string) => string;
  /** Keep mode's references (undefined with --resolve). */
  readonly kept: KeptVariables | undefined;
  contextPath(context: string): string;
  contexts(b: ComposeBuild): Record<string, BakeString> | string | undefined;
  keptContexts(token: string, under: Readonly<Record<string, string>>): string;
  dockerfile(b: ComposeBuild): string;
  dropUnreadableArgs(args: Record<string, BakeString>, at: string): void;
  /** Keep mode: a kept args map (a token) with its unreadable value-less args dropped the same way. */
  keptArgs(args: string, at: string): string;
  imageName(service: ComposeService): string;
  secrets(service: ComposeService & { build: ComposeBuild }, at: string): string[];
  ssh(b: ComposeBuild, at: string): string[];
  defaultPlatform(service: ComposeService): string[];
  boolean(value: boolean | string | undefined, at: string): true | string | undefined;
  boolean(value: boolean | string | undefined, at: string, whenTrue: string): string | undefined;
}

/** One service being converted: its build, the path of `build:` in the document, and the target being written. */
export interface Converting {
  readonly cv: KeyConverter;
  readonly service: ComposeService & { build: ComposeBuild };
  readonly b: ComposeBuild;
  readonly at: string;
  readonly t: BakeTarget;
}

/** A key's conversion, or the key whose row converts it together with its own. */
type KeyRule = ((c: Converting) => void) | { readonly convertedWith: keyof ComposeBuild };

/** Every ComposeBuild key → what bake gets (compose-build-bake-reference.md §1; docs/architecture.md lists them). */
export const BUILD_KEYS: { readonly [K in keyof ComposeBuild]-?: KeyRule } = {
  context: ({ cv, b, t }) => {
    t.context = cv.contextPath(b.context);
  },
  // Keep mode, a name from a variable: the map is an expression bake evaluates (bake/kept-contexts.ts).
  additional_contexts: ({ cv, b, t }) => {
    const contexts = cv.contexts(b);
    if (contexts) t.contexts = contexts;
  },
  additional_contexts_kept: { convertedWith: "additional_contexts" },
  dockerfile: ({ cv, b, t }) => {
    if (b.dockerfile !== undefined) t.dockerfile = cv.dockerfile(b);
  },
  dockerfile_inline: ({ b, t }) => {
    if (b.dockerfile_inline !== undefined) t["dockerfile-inline"] = b.dockerfile_inline;
  },
  args: ({ cv, b, t, at }) => {
    // Keep mode, a key from a variable: the map is an expression bake evaluates (bake/kept-key-values.ts).
    if (b.args_kept !== undefined) {
      t.args = cv.keptArgs(b.args_kept, at);
      return;
    }
    const args = Object.keys(b.args).length > 0 ? dictCopy(b.args) : undefined;
    if (args) cv.dropUnreadableArgs(args, at);
    if (args && Object.keys(args).length > 0) t.args = args;
  },
  args_kept: { convertedWith: "args" },
  labels: ({ b, t }) => {
    if (b.labels_kept !== undefined) t.labels = b.labels_kept;
    else if (Object.keys(b.labels).length > 0) t.labels = dictCopy(b.labels);
  },
  labels_kept: { convertedWith: "labels" },
  // The service's image (or Compose's default name) is the last tag.
  tags: ({ cv, service, b, t }) => {
    t.tags = uniqueBy([...b.tags, cv.imageName(service)], cv.valueKey);
  },
  cache_from: ({ b, t }) => {
    if (b.cache_from.length > 0) t["cache-from"] = [...b.cache_from];
  },
  cache_to: ({ b, t }) => {
    if (b.cache_to.length > 0) t["cache-to"] = [...b.cache_to];
  },
  target: ({ b, t }) => {
    if (b.target !== undefined) t.target = b.target;
  },
  secrets: ({ cv, service, t, at }) => {
    const secrets = cv.secrets(service, at);
    if (secrets.length > 0) t.secret = secrets;
  },
  ssh: ({ cv, b, t, at }) => {
    if (b.ssh.length > 0) t.ssh = cv.ssh(b, at);
  },
  // Else the service's `platform`, else DOCKER_DEFAULT_PLATFORM.
  platforms: ({ cv, service, b, t }) => {
    const platforms = b.platforms.length > 0 ? [...b.platforms] : cv.defaultPlatform(service);
    if (platforms.length > 0) t.platforms = platforms;
  },
  // true, or in keep mode a template bake reads as a boolean.
  pull: ({ cv, b, t, at }) => {
    const pull = cv.boolean(b.pull, `${at}.pull`);
    if (pull !== undefined) t.pull = pull;
  },
  no_cache: ({ cv, b, t, at }) => {
    const noCache = cv.boolean(b.no_cache, `${at}.no_cache`);
    if (noCache !== undefined) t["no-cache"] = noCache;
  },
  network: ({ b, t }) => {
    if (b.network !== undefined) t.network = b.network;
  },
  no_cache_filter: ({ b, t }) => {
    if (b.no_cache_filter.length > 0) t["no-cache-filter"] = [...b.no_cache_filter];
  },
  shm_size: ({ b, t }) => {
    if (b.shm_size !== undefined) t["shm-size"] = String(b.shm_size);
  },
  ulimits: ({ b, t }) => {
    const ulimits = Object.keys(b.ulimits)
      .sort(compareCodeUnits)
      .map((name) => {
        const u = b.ulimits[name]!;
        return u.single !== undefined ? `${name}=${u.single}` : `${name}=${u.soft}:${u.hard}`;
      });
    if (ulimits.length > 0) t.ulimits = ulimits;
  },
  // `privileged: true` is the security.insecure entitlement (in keep mode, an item that is empty when false).
  entitlements: ({ cv, b, t, at }) => {
    // A kept `privileged` stays its checked expression (an invalid word fails, as Compose refuses it) even when
    // security.insecure is already listed: the item then repeats it or is empty, which bake drops.
    const privileged =
      b.privileged === true || (b.entitlements.includes("security.insecure") && typeof b.privileged !== "string")
        ? "security.insecure"
        : cv.boolean(b.privileged, `${at}.privileged`, "security.insecure");
    const entitlements = unique([...b.entitlements, ...(typeof privileged === "string" ? [privileged] : [])]);
    if (entitlements.length > 0) t.entitlements = entitlements;
  },
  privileged: { convertedWith: "entitlements" },
  extra_hosts_kept: { convertedWith: "extra_hosts" },
  extra_hosts: ({ b, t }) => {
    // Keep mode, a host name from a variable: the map is an expression bake evaluates (bake/kept-forms.ts).
    if (b.extra_hosts_kept !== undefined) {
      t["extra-hosts"] = b.extra_hosts_kept;
      return;
    }
    const hosts = Object.keys(b.extra_hosts);
    if (hosts.length > 0) t["extra-hosts"] = dict(hosts.map((h) => [h, b.extra_hosts[h]!.join(",")]));
  },
  // Both are `attest` entries.
  provenance: ({ cv, b, t }) => {
    const attest = [attestation("provenance", b.provenance, cv.kept), attestation("sbom", b.sbom, cv.kept)].filter(
      (a): a is string => a !== undefined,
    );
    if (attest.length > 0) t.attest = attest;
  },
  sbom: { convertedWith: "provenance" },
  isolation: ({ cv, b, at }) => {
    if (b.isolation !== undefined) {
      cv.diagnostics.warn(
        "unsupported-isolation",
        `${at}.isolation has no bake equivalent and is ignored`,
        cv.placeOf(`${at}.isolation`),
      );
    }
  },
  // `x-bake` last: it adds to (and may override) what the keys above wrote.
  extensions: ({ cv, b, t, at }) => {
    const xBake = b.extensions["x-bake"];
    if (xBake !== undefined) {
      applyXBake(t, xBake, {
        path: `${at}.x-bake`,
        placeOf: cv.placeOf,
        diagnostics: cv.diagnostics,
        names: cv.names,
        valueKey: cv.valueKey,
        keptContexts: (token, under) => cv.keptContexts(token, under),
      });
    }
  },
};

/** `true` → the attestation; `false` → disabled, so bake's default does not switch it back on; else its options. */
function attestation(
  type: "provenance" | "sbom",
  value: string | undefined,
  kept: KeptVariables | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  // Keep mode: the same choice, made by bake (kept-forms.ts).
  if (kept && hasToken(value)) return kept.form({ kind: "form", form: "attest", type, value });
  if (value === "true") return `type=${type}`;
  if (value === "false") return `type=${type},disabled=true`;
  return `type=${type},${value}`;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
