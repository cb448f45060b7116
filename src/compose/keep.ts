/**
 * "Keep" interpolation: instead of substituting `${VAR…}`, the loader leaves a token in each string that a bake
 * file can keep parameterised, and the converter later turns the tokens into bake variables and expressions
 * (src/bake/variables.ts). The output then depends only on the committed files, and `TAG=1.2 docker buildx bake`
 * behaves like `TAG=1.2 docker compose build`.
 *
 * A token is `\uE000<id>\uE001` (private-use characters, which no Compose file needs), standing for one parsed
 * reference. Tokens are only left in values that reach bake unchanged (args and label values, tags, image,
 * cache entries, target, network, dockerfile, platforms, …): values that compose2bake parses or rewrites (paths,
 * sizes, booleans, ssh, ulimits) are resolved as if every variable were unset, with a warning when that happened
 * in a build section. The one exception to "only the files": a variable in the key of a list-form arg or label
 * (`- ${K}=v`) is resolved from the environment, like --resolve, since bake keys are literal (with a warning).
 * Every `${VAR:?msg}` anywhere in the file still becomes a bake validation, since
 * `docker compose build` fails when it is unset: also in values that never reach bake (a db service's
 * `environment`, a value a later file overrides), and also inside a default or alternative, where the validation
 * only applies when that branch is taken (`guards`), as Compose evaluates defaults lazily.
 */
import {
  interpolate,
  InterpolationError,
  InterpolationSyntaxError,
  parseTemplate,
  RequiredVariableError,
  type Lookup,
  type TemplatePart,
} from "./interpolate";

export type VarPart = Extract<TemplatePart, { kind: "var" }>;

export const KEEP_OPEN = "\uE000";
export const KEEP_CLOSE = "\uE001";
const TOKEN = /\uE000(\d+)\uE001/g;

export interface KeptReference {
  readonly part: VarPart;
  /** A value-less build arg (`- TOKEN`): the arg is dropped when the variable is unset. */
  readonly valueless?: boolean;
}

/** A branch that must be taken for a nested reference to be evaluated: the arg of `${name<op>arg}`. */
export interface Guard {
  readonly name: string;
  readonly op: ":-" | "-" | ":+" | "+";
}

export interface Requirement {
  readonly name: string;
  /** `:?` (unset or empty fails) or `?` (only unset fails). */
  readonly op: ":?" | "?";
  readonly message: readonly TemplatePart[];
  /** The defaults/alternatives it sits in, outermost first: it is only checked when all of them are taken. */
  readonly guards: readonly Guard[];
}

export class KeptVariables {
  readonly references: KeptReference[] = [];
  /** Every `${V:?…}` / `${V?…}` of every document, kept or not, in document order. */
  readonly requirements: Requirement[] = [];
  /** Build-relevant places whose variables had to be resolved (as unset) instead of kept. */
  readonly resolvedPlaces: Array<{ readonly path: string; readonly names: readonly string[] }> = [];
  /** `- KEY=value` items whose KEY held variables, resolved from the environment when the file was generated. */
  readonly resolvedKeys: Array<{ readonly path: string; readonly names: readonly string[] }> = [];

  token(ref: KeptReference): string {
    this.references.push(ref);
    return `${KEEP_OPEN}${this.references.length - 1}${KEEP_CLOSE}`;
  }

  /** Splits a string into literal text and kept references. */
  split(value: string): Array<string | KeptReference> {
    const out: Array<string | KeptReference> = [];
    let last = 0;
    for (const m of value.matchAll(TOKEN)) {
      if (m.index! > last) out.push(value.slice(last, m.index));
      out.push(this.references[Number(m[1])]!);
      last = m.index! + m[0].length;
    }
    if (last < value.length) out.push(value.slice(last));
    return out;
  }
}

export function hasToken(value: string): boolean {
  return value.includes(KEEP_OPEN);
}

const KEEPABLE: readonly RegExp[] = [
  /^services\..+\.image$/,
  /^services\..+\.build\.(args|labels)\..+$/,
  /^services\..+\.build\.(tags|cache_from|cache_to|platforms|no_cache_filter)\.\d+$/,
  /^services\..+\.build\.(target|network|dockerfile|dockerfile_inline|no_cache_filter)$/,
  /^services\..+\.build\.x-bake\.(tags|cache-from|cache-to|platforms|output)(\.\d+)?$/,
];
const BUILD_RELEVANT = /^(services\..+\.(build|image|platform)(\..*)?|secrets\..*)$/;
const KEY_VALUE_LIST = /^services\..+\.build\.(args|labels)\.\d+$/;

/** The environment that list-item keys are resolved in (bake keys cannot hold variables). */
export interface KeyEnvironment {
  readonly lookup: Lookup;
  readonly onUnset: (name: string) => void;
}

/** Like `interpolateValue`, but keeps references as tokens where bake can keep them. */
export function keepValue(value: unknown, path: string, kept: KeptVariables, env?: KeyEnvironment, inList = false): unknown {
  if (typeof value === "string") {
    if (!value.includes("$")) return value;
    let parts: TemplatePart[];
    try {
      parts = parseTemplate(value);
    } catch (e) {
      if (e instanceof InterpolationSyntaxError) throw new InterpolationError(path, e);
      throw e;
    }
    if (inList && env && KEY_VALUE_LIST.test(path)) {
      const entry = keepKeyValueItem(value, parts, path, kept, env);
      if (entry !== undefined) return entry;
    }
    // Compose interpolates every value of every file, so each requirement counts even if the value never reaches
    // bake (another service, a value a later file overrides).
    collectRequirements(parts, [], kept.requirements);
    if (isKeepable(path, parts, inList)) {
      return parts.map((p) => (p.kind === "text" ? p.text : kept.token({ part: p }))).join("");
    }
    const names: string[] = [];
    const resolved = resolveUnset(parts, names);
    if (names.length > 0 && BUILD_RELEVANT.test(path)) kept.resolvedPlaces.push({ path, names });
    return resolved;
  }
  if (Array.isArray(value)) return value.map((v, i) => keepValue(v, join(path, String(i)), kept, env, true));
  if (value !== null && typeof value === "object") {
    // Null prototype: a user key such as `__proto__` must stay an ordinary entry.
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) out[k] = keepValue(v, join(path, k), kept, env);
    return out;
  }
  return value;
}

/**
 * `- KEY=value` (args, labels) whose KEY holds a reference: bake keys are literal, so the key (everything before
 * the first literal `=`, or the whole item) is resolved from the environment now, like --resolve, and the rest
 * stays kept. Compose splits after interpolating, so a `=` in the key's value still splits there. Undefined when
 * the key is literal.
 */
function keepKeyValueItem(value: string, parts: readonly TemplatePart[], path: string, kept: KeptVariables, env: KeyEnvironment) {
  const eq = parts.findIndex((p) => p.kind === "text" && p.text.includes("="));
  const keyParts = eq < 0 ? parts : parts.slice(0, eq);
  const vars = keyParts.filter((p): p is VarPart => p.kind === "var");
  if (vars.length === 0) return undefined;
  // Text parts have `$$` reduced, so find the `=` in the raw value, after the key's last reference.
  const rawEq = eq < 0 ? value.length : value.indexOf("=", vars[vars.length - 1]!.end);
  let key: string;
  try {
    key = interpolate(value.slice(0, rawEq), env.lookup, { onUnset: env.onUnset });
  } catch (e) {
    if (e instanceof InterpolationSyntaxError || e instanceof RequiredVariableError) throw new InterpolationError(path, e);
    throw e;
  }
  const names: string[] = [];
  resolveUnset(keyParts, names);
  kept.resolvedKeys.push({ path, names });
  const rest = parseTemplate(value.slice(rawEq));
  // The key's requirements were checked just now; only the value's are left for bake.
  collectRequirements(rest, [], kept.requirements);
  return key + rest.map((p) => (p.kind === "text" ? p.text : kept.token({ part: p }))).join("");
}

function isKeepable(path: string, parts: readonly TemplatePart[], inList: boolean): boolean {
  if (!KEEPABLE.some((r) => r.test(path))) return false;
  // In `- KEY=${V}` only the value may be kept: the key must be literal.
  if (inList && KEY_VALUE_LIST.test(path)) return parts[0]?.kind === "text" && parts[0].text.includes("=");
  return true;
}

/**
 * Records the requirements in parts, with the branches they sit in. Messages are not searched: a requirement in
 * the message of a failing one only changes which error Compose reports, not whether it fails.
 */
function collectRequirements(parts: readonly TemplatePart[], guards: readonly Guard[], out: Requirement[]): void {
  for (const p of parts) {
    if (p.kind === "text") continue;
    if (p.op === ":?" || p.op === "?") out.push({ name: p.name, op: p.op, message: p.arg ?? [], guards });
    else if (p.op !== undefined) collectRequirements(p.arg ?? [], [...guards, { name: p.name, op: p.op }], out);
  }
}

/** Evaluates parts as if every variable were unset, collecting the names of the variables it read. */
function resolveUnset(parts: readonly TemplatePart[], names: string[]): string {
  let out = "";
  for (const p of parts) {
    if (p.kind === "text") {
      out += p.text;
      continue;
    }
    if (!names.includes(p.name)) names.push(p.name);
    // Unset: plain, `:?`/`?` (checked by a bake validation) and `+` references give "".
    if (p.op === ":-" || p.op === "-") out += resolveUnset(p.arg ?? [], names);
  }
  return out;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}
