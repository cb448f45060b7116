/**
 * The `x-bake` extension inside `build:`, applied the way buildx's own Compose reader applies it
 * (buildx-bake-reference.md §5). docker compose ignores x-bake; we honour it because users who wrote it
 * meant it for bake. Unknown keys get a warning, where buildx ignores them silently.
 */
import type { PlaceOf } from "../compose/positions";
import type { DiagnosticBag } from "../diagnostics";
import { isMapExpression, type BakeString, type BakeTarget } from "./model";
import { dictCopy, hasOwn } from "../dict";
import { hasToken } from "../compose/keep-token";

export interface XBakeContext {
  readonly path: string;
  readonly placeOf: PlaceOf;
  readonly diagnostics: DiagnosticBag;
  /** Service name → target name, for `service:` / `target:` contexts. */
  readonly names: ReadonlyMap<string, string>;
  /** What a value says, for de-duplication (kept variables make equal values different strings); default: itself. */
  readonly valueKey?: (s: string) => string;
  /** Keep mode: kept contexts (a token, bake/kept-contexts.ts) with these entries under them (theirs win). */
  readonly keptContexts?: (token: string, under: Readonly<Record<string, string>>) => string;
}

const LIST_KEYS = [
  "tags",
  "cache-from",
  "cache-to",
  "secret",
  "ssh",
  "platforms",
  "output",
  "no-cache-filter",
] as const;

export function applyXBake(t: BakeTarget, raw: unknown, ctx: XBakeContext): void {
  if (raw === null || raw === undefined) return;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    ctx.diagnostics.warn("x-bake-invalid", `${ctx.path} must be a mapping; it is ignored`, ctx.placeOf(ctx.path));
    return;
  }
  const x = raw as Record<string, unknown>;
  for (const key of Object.keys(x)) {
    if (!(LIST_KEYS as readonly string[]).includes(key) && key !== "pull" && key !== "no-cache" && key !== "contexts") {
      ctx.diagnostics.warn(
        "x-bake-unknown-key",
        `${ctx.path}.${key} is not read by buildx and is ignored (known keys: ${[...LIST_KEYS, "pull", "no-cache", "contexts"].join(", ")})`,
        ctx.placeOf(`${ctx.path}.${key}`),
      );
    }
  }
  const list = (key: string): string[] | undefined => {
    const v = x[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string") return v.split(/\s+/).filter((s) => s !== "");
    // buildx reads these as strings: a list or a mapping inside is an error there, never "[object Object]".
    if (Array.isArray(v) && v.every(isScalar)) return v.map((item) => String(item));
    ctx.diagnostics.warn(
      "x-bake-invalid",
      `${ctx.path}.${key} must be a list of strings or a string; it is ignored`,
      ctx.placeOf(`${ctx.path}.${key}`),
    );
    return undefined;
  };
  const strings = (v: BakeString[] | undefined): string[] =>
    (v ?? []).filter((s): s is string => typeof s === "string");
  const unique = (items: readonly string[]): string[] => uniqueBy(items, ctx.valueKey ?? ((s) => s));

  const tags = list("tags");
  if (tags) t.tags = unique([...strings(t.tags), ...tags]);
  for (const key of ["cache-from", "cache-to"] as const) {
    const v = list(key);
    if (v) t[key] = unique([...strings(t[key]), ...v]);
  }
  const secret = list("secret");
  if (secret) t.secret = mergeById(strings(t.secret), secret, secretId);
  const ssh = list("ssh");
  if (ssh) {
    const merged = mergeById(strings(t.ssh), ssh, sshId);
    // A list holding kept items (bake/kept-ssh.ts) keeps its order: bake keeps the last entry of each id.
    if (!merged.some(hasToken)) merged.sort((a, b) => (sshId(a) < sshId(b) ? -1 : sshId(a) > sshId(b) ? 1 : 0));
    t.ssh = merged;
  }
  const platforms = list("platforms");
  if (platforms) t.platforms = unique([...strings(t.platforms), ...platforms]);
  const output = list("output");
  if (output) t.output = unique([...strings(t.output), ...output]);
  const filter = list("no-cache-filter");
  if (filter) t["no-cache-filter"] = unique([...strings(t["no-cache-filter"]), ...filter]);
  for (const key of ["pull", "no-cache"] as const) {
    const v = x[key];
    if (v === undefined || v === null) continue;
    const b = toBool(v);
    if (b === undefined)
      ctx.diagnostics.warn(
        "x-bake-invalid",
        `${ctx.path}.${key} must be a boolean; it is ignored`,
        ctx.placeOf(`${ctx.path}.${key}`),
      );
    else t[key] = b;
  }
  const contexts = x.contexts;
  if (contexts !== undefined && contexts !== null) {
    if (typeof contexts !== "object" || Array.isArray(contexts)) {
      ctx.diagnostics.warn(
        "x-bake-invalid",
        `${ctx.path}.contexts must be a mapping; it is ignored`,
        ctx.placeOf(`${ctx.path}.contexts`),
      );
    } else {
      const keptToken = typeof t.contexts === "string" ? t.contexts : undefined;
      const merged = dictCopy<BakeString>(t.contexts === undefined || isMapExpression(t.contexts) ? {} : t.contexts);
      for (const [k, v] of Object.entries(contexts as Record<string, unknown>)) {
        if (hasOwn(merged, k)) continue; // buildx: the compose value wins
        if (!isScalar(v)) {
          ctx.diagnostics.warn(
            "x-bake-invalid",
            `${ctx.path}.contexts.${k} must be a string; it is ignored`,
            ctx.placeOf(`${ctx.path}.contexts.${k}`),
          );
          continue;
        }
        let value = String(v);
        const m = /^(service|target):(.*)$/.exec(value);
        if (m) value = `target:${ctx.names.get(m[2]!) ?? m[2]!.replace(/\./g, "_")}`;
        merged[k] = value;
      }
      // Kept contexts (a name from a variable): the compose entries are known when bake runs, so they go over these.
      if (keptToken !== undefined && ctx.keptContexts)
        t.contexts = ctx.keptContexts(keptToken, merged as Record<string, string>);
      else t.contexts = merged;
    }
  }
}

/** The first of each group of items with the same key, in order. */
export function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  // One item (most services' tags: the image name alone) has no duplicate, and its key can cost a split.
  if (items.length < 2) return [...items];
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function mergeById(base: readonly string[], extra: readonly string[], idOf: (s: string) => string): string[] {
  const out = [...base];
  for (const item of extra) {
    const at = out.findIndex((o) => idOf(o) === idOf(item));
    if (at >= 0) out[at] = item;
    else out.push(item);
  }
  return out;
}

function secretId(csv: string): string {
  for (const field of csv.split(",")) {
    const [k, v] = field.split("=", 2);
    if (k === "id") return v ?? "";
  }
  return csv;
}

function sshId(entry: string): string {
  const i = entry.indexOf("=");
  return i < 0 ? entry : entry.slice(0, i);
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== "object";
}

function toBool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    if (/^(true|1)$/i.test(v)) return true;
    if (/^(false|0)$/i.test(v)) return false;
  }
  return undefined;
}
