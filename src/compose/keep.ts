/**
 * "Keep" interpolation: instead of substituting `${VAR…}`, the loader leaves a token in each string that a bake
 * file can keep parameterised, and the converter later turns the tokens into bake variables and expressions
 * (src/bake/variables.ts). The output then depends only on the committed files, and `TAG=1.2 docker buildx bake`
 * behaves like `TAG=1.2 docker compose build`.
 *
 * A token (keep-token.ts, which user text cannot forge) stands for one parsed reference. Tokens are only left in
 * values that reach bake unchanged (args and label values, tags, image, cache entries, target, network,
 * dockerfile, platforms and the service platform, …) or that bake parses as Compose does (pull, no_cache and
 * privileged as KeptBoolean, shm_size), paths, which keep their declaring folder as one KeptPath (keep-path.ts),
 * and ssh items whose id holds a reference, each one token (keep-ssh.ts), as are additional-context items whose
 * name holds one (keep-contexts.ts):
 * values that compose2bake rewrites otherwise (an extra_hosts host name, ulimits, …) are
 * resolved as if every variable were unset, with a warning when that happened in a build section (README). An
 * args or labels list item whose key holds a reference (`- ${K}=v`) is one token (`key-item`), and the whole
 * list a map bake builds (keep-key-values.ts); a value-less arg named by a reference (`- ${K}`) is resolved as if
 * unset (keepKeyValueItem).
 * Every `${VAR:?msg}` anywhere in the file still becomes a bake validation, since
 * `docker compose build` fails when it is unset: also in values that never reach bake (a db service's
 * `environment`, a value a later file overrides), and also inside a default or alternative, where the validation
 * only applies when that branch is taken (`guards`), as Compose evaluates defaults lazily.
 */
import { decodeTokens, encodeToken, hasToken } from "./keep-token";
import { InterpolationError, InterpolationSyntaxError, parseTemplate, type TemplatePart } from "./interpolate";
import { canBeEmpty, outcome } from "./operators";
import { isBuildRelevant, isKeepablePlace, isKeyValueItem } from "./keep-places";
import type { KeptCheck, KeptForm } from "./keep-forms";
import { isKeptPathPlace, type KeptPath, type PathRule, type WrittenFolders } from "./keep-path";
import { isKeptSshItem, isSshListItem } from "./keep-ssh";
import { isContextListItem } from "./keep-contexts";
import type { PlainMap } from "./raw";
import type { SourcePos } from "../diagnostics";
import { emptyDict } from "../dict";

export type { KeptPath } from "./keep-path";

export type VarPart = Extract<TemplatePart, { kind: "var" }>;

export { hasToken } from "./keep-token";

export interface KeptReference {
  readonly kind?: undefined;
  readonly part: VarPart;
  /** A value-less build arg (`- TOKEN`): the arg is dropped when the variable is unset. */
  readonly valueless?: boolean;
  /** Written in an included project whose env files set variables (see IncludeScope). */
  readonly scope?: IncludeScope;
}

/**
 * The variables an included project's env files (`include: env_file`, its `.env`) add to its own interpolation,
 * outer includes' ones too: Compose interpolates the included services with them unless the main environment
 * sets the name (process environment and the main `.env` win).
 */
export interface IncludeScope {
  /** Name → value, only names the main environment does not set. */
  readonly values: ReadonlyMap<string, string>;
  /** The included file, as written in `include` (for warnings). */
  readonly source: string;
  /**
   * Names whose env-file value reads the environment (`${SECRET}`, a bare key): `values` holds them as if the
   * environment set nothing (include-env.ts), with a warning where the included services read them.
   */
  readonly fromEnvironment?: ReadonlySet<string>;
}

/**
 * A whole value (holding tokens) that stands for `fallback` when it comes out empty: Compose's default image name
 * for an `image:` that interpolates to "" (`image: ${TAG}` with TAG unset tags `<project>-<service>`).
 */
export interface KeptFallback {
  readonly kind: "fallback";
  /** The value, with the tokens of its own references. */
  readonly value: string;
  readonly fallback: string;
}

/**
 * A whole value (holding tokens) that Compose reads as a boolean (`pull`, `no_cache`, `privileged`): true for
 * y/yes/true/on, false for n/no/false/off (any case), else Compose refuses the project (a bake validation).
 */
export interface KeptBoolean {
  readonly kind: "boolean";
  /** The value, with the tokens of its own references. */
  readonly value: string;
  /** Where it sits, for the message. */
  readonly path: string;
  /** The text it stands for when true (else ""), in a list; absent: it stands for the boolean itself. */
  readonly whenTrue?: string;
}

export type KeptPiece = KeptReference | KeptFallback | KeptBoolean | KeptForm | KeptPath;

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
  /** Written in an included project whose env files set variables. */
  readonly scope?: IncludeScope;
}

/**
 * A check of Compose's that needs a kept value (a platform list or a service platform holding references): one
 * of `values` must equal `expected`, else Compose refuses the project with `message`. Written as a bake
 * `validation`. Every string may hold tokens.
 */
export interface PlatformCheck {
  /** The candidates. */
  readonly values: readonly string[];
  readonly expected: string;
  /** The check passes when this comes out empty (Compose checks only a non-empty service platform). */
  readonly unlessEmpty?: string;
  readonly message: string;
}

/** A place whose variables were resolved as if unset; `at` is set once the document's positions are known. */
export interface ResolvedPlace {
  /** The dotted path of the value in its document. */
  readonly path: string;
  readonly names: readonly string[];
  at?: SourcePos;
}

export class KeptVariables {
  readonly references: KeptPiece[] = [];
  /** Every `${V:?…}` / `${V?…}` of every document, kept or not, in document order. */
  readonly requirements: Requirement[] = [];
  /** Build-relevant places whose variables had to be resolved (as unset) instead of kept. */
  readonly resolvedPlaces: ResolvedPlace[] = [];
  /** The first place a reference to DEBUG was kept, for the warning that bake cannot read its value. */
  debugPlace: ResolvedPlace | undefined;
  /** Checks of Compose's that must wait for the kept values: bake validations. */
  readonly platformChecks: PlatformCheck[] = [];
  /** Value-less `- ${K}` args, whose name was resolved as if unset (bake cannot look a name up twice). */
  readonly resolvedArgNames: ResolvedPlace[] = [];
  /** Compose's checks on kept values it reshapes (keep-forms.ts): bake validations. */
  readonly checks: KeptCheck[] = [];

  /** The include being loaded, while it is (see withScope). */
  private currentScope: IncludeScope | undefined;
  /**
   * Each distinct string's parts, parsed once: a project repeats the same references in every service
   * (`${TAG:-latest}`), and the parts are never changed once parsed. Shared parts also let the expression
   * writer render each reference once (ExpressionWriter.reference).
   */
  private readonly templates = new Map<string, TemplatePart[]>();
  /** The token of each bare reference (`{ part }`), by the include it was written in (none: undefined), then parts. */
  private readonly bareTokens = new Map<IncludeScope | undefined, Map<TemplatePart, string>>();
  /** The parts whose bare token was asked for more than once: the references worth rendering once (expression.ts). */
  readonly sharedParts = new Set<TemplatePart>();

  /** `parseTemplate(value)`, once per distinct value; throws InterpolationSyntaxError as it does. */
  template(value: string): TemplatePart[] {
    let parts = this.templates.get(value);
    if (parts === undefined) {
      parts = parseTemplate(value);
      this.templates.set(value, parts);
    }
    return parts;
  }

  get scope(): IncludeScope | undefined {
    return this.currentScope;
  }

  /** Runs `load` with `scope` attached to every reference and requirement it records. */
  withScope<T>(scope: IncludeScope | undefined, load: () => T): T {
    const outer = this.currentScope;
    this.currentScope = scope;
    try {
      return load();
    } finally {
      this.currentScope = outer;
    }
  }

  token(ref: KeptPiece): string {
    // A bare reference to parts already given a token in this scope is that token: a string repeated across
    // services shares its parts (template), so it stays one string, split and rendered once downstream.
    const scope = this.currentScope;
    let bare: Map<TemplatePart, string> | undefined;
    const part = ref.kind === undefined && Object.keys(ref).length === 1 ? ref.part : undefined;
    if (part !== undefined) {
      bare = this.bareTokens.get(scope);
      if (bare === undefined) this.bareTokens.set(scope, (bare = new Map()));
      const known = bare.get(part);
      if (known !== undefined) {
        this.sharedParts.add(part);
        return known;
      }
    }
    this.references.push(ref.kind === undefined && scope !== undefined ? { ...ref, scope } : ref);
    const token = encodeToken(this.references.length - 1);
    if (part !== undefined) bare?.set(part, token);
    return token;
  }

  /**
   * `value` (which holds tokens), or `fallback` when it comes out empty, as one token; `value` itself when no
   * environment can make it empty (so that it still equals the same text elsewhere, for de-duplication).
   */
  withFallback(value: string, fallback: string): string {
    if (
      !this.split(value).some((p) => (typeof p === "string" ? p === "" : p.kind !== undefined || mayBeEmpty([p.part])))
    )
      return value;
    return this.token({ kind: "fallback", value, fallback });
  }

  /**
   * A path value (which holds tokens) as one kept path from `base` (keep-path.ts); a value that already is one
   * is left as it is, so the first folder wins: an included or extended file's own, not the one it is merged into.
   */
  readonly keepPath = (value: string, rule: PathRule, base: string): string => {
    const split = this.split(value);
    const only = split.length === 1 ? split[0] : undefined;
    if (typeof only === "object" && only.kind === "path") return value;
    // A kept ssh item (keep-ssh.ts) or context item (keep-contexts.ts) takes the folder of its path the same way,
    // the first one it is given.
    if (typeof only === "object" && only.kind === "form" && (only.form === "ssh-item" || only.form === "context-item"))
      return only.base === undefined ? this.token({ ...only, base }) : value;
    return this.token({ kind: "path", value, rule, base });
  };

  /**
   * The items of an ssh list holding kept items (keep-ssh.ts), as compose-go's canonical transform meets them:
   * one group, a mapping of one token per item (literal items wrapped too) to null, in the list's order; and
   * Compose's checks on the items as validations (unique; an item without `=` must be `default`).
   */
  readonly sshGroup = (items: readonly string[], service: string): PlainMap => {
    const out: PlainMap = emptyDict<PlainMap>();
    const values: string[] = [];
    for (const item of items) {
      const piece = isKeptSshItem(item) ? this.split(item)[0] : undefined;
      const value =
        typeof piece === "object" && piece.kind === "form" && piece.form === "ssh-item" ? piece.value : item;
      values.push(value);
      if (piece !== undefined && !value.includes("=")) this.checks.push({ rule: "ssh-key", value });
      out[piece !== undefined ? item : this.token({ kind: "form", form: "ssh-item", value })] = null;
    }
    if (values.length > 1)
      this.checks.push({
        rule: "unique-items",
        value: values.join(""),
        items: values,
        path: `services.${service}.build.ssh`,
      });
    return out;
  };

  /** `value` with every kept path in it given the folders as the bake file writes them (the converter's). */
  writtenPaths(value: string, written: (base: string) => WrittenFolders): string {
    return decodeTokens(value)
      .map((piece) => {
        if (typeof piece === "string") return piece;
        const ref = this.references[piece];
        if (ref?.kind === "path") return this.token({ ...ref, written: written(ref.base) });
        if (ref?.kind === "form" && (ref.form === "ssh-item" || ref.form === "context-item")) {
          if (ref.base === undefined)
            throw new Error("internal error: a kept ssh or context item reached bake without its folder");
          return this.token({ ...ref, written: written(ref.base) });
        }
        return encodeToken(piece);
      })
      .join("");
  }

  /** `value` (which holds tokens) read as a boolean, as one token (see KeptBoolean). */
  boolean(value: string, path: string, whenTrue?: string): string {
    return this.token({ kind: "boolean", value, path, ...(whenTrue === undefined ? {} : { whenTrue }) });
  }

  /** A value Compose reshapes, as one token (keep-forms.ts); `value` itself when it holds no token. */
  form(form: KeptForm): string {
    if (form.form === "host-list" || form.form === "key-values" || form.form === "context-list")
      return this.token(form);
    return hasToken(form.value) ? this.token(form) : form.value;
  }

  /** Splits a string into literal text and kept references (keep-token.ts owns the format). */
  split(value: string): Array<string | KeptPiece> {
    return decodeTokens(value).map((piece) => {
      if (typeof piece === "string") return piece;
      const ref = this.references[piece];
      if (ref === undefined) throw new Error(`internal error: keep token ${piece} names no reference`);
      return ref;
    });
  }
}

/**
 * Like `interpolateValue`, but keeps references as tokens where bake can keep them. `path` is where `value`
 * sits ("" for a whole document); time is linear in the size of the value and its keys.
 */
export function keepValue(value: unknown, path: string, kept: KeptVariables): unknown {
  return keepAt(value, path === "" ? [] : path.split("."), kept, false);
}

function keepAt(value: unknown, segs: string[], kept: KeptVariables, inList: boolean): unknown {
  if (typeof value === "string") return keepString(value, segs, kept, inList);
  // A list or mapping in which nothing changes is returned as it is, shared rather than copied (as interpolateValue).
  // Index loops, and values that cannot change (no `$`, not a collection) are passed over without a step down:
  // this visits every value of every file, mostly before V8 optimises it.
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (unchanged(item)) continue;
      segs.push(String(i));
      try {
        const next = keepAt(item, segs, kept, true);
        if (next !== item) (out ??= value.slice())[i] = next;
      } finally {
        segs.pop();
      }
    }
    return out ?? value;
  }
  if (value !== null && typeof value === "object") {
    const map = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    const keys = Object.keys(map);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const item = map[k];
      if (unchanged(item)) continue;
      segs.push(k);
      try {
        const next = keepAt(item, segs, kept, false);
        if (next !== item) (out ??= Object.assign(emptyDict<Record<string, unknown>>(), map))[k] = next;
      } finally {
        segs.pop();
      }
    }
    return out ?? value;
  }
  return value;
}

/** A value keepAt returns as it is whatever its place: a string without `$`, a number, a boolean, null. */
function unchanged(value: unknown): boolean {
  return typeof value === "string" ? !value.includes("$") : typeof value !== "object" || value === null;
}

function keepString(value: string, segs: readonly string[], kept: KeptVariables, inList: boolean): string {
  if (!value.includes("$")) return value;
  const path = () => segs.join(".");
  let parts: TemplatePart[];
  try {
    parts = kept.template(value);
  } catch (e) {
    if (e instanceof InterpolationSyntaxError) throw new InterpolationError(path(), e);
    throw e;
  }
  if (kept.debugPlace === undefined && readsName(parts, "DEBUG")) kept.debugPlace = { path: path(), names: ["DEBUG"] };
  const keyValueItem = inList && isKeyValueItem(segs);
  if (keyValueItem) {
    const entry = keepKeyValueItem(parts, segs, kept);
    if (entry !== undefined) return entry;
  }
  // Compose interpolates every value of every file, so each requirement counts even if the value never reaches
  // bake (another service, a value a later file overrides).
  collectRequirements(parts, [], kept);
  // In `- KEY=${V}` only the value may be kept: the key must be literal.
  const literalKey = () => parts[0]?.kind === "text" && parts[0].text.includes("=");
  // An ssh item whose id holds a reference: the whole item, cut where Compose cuts it by bake (keep-ssh.ts).
  if (isSshListItem(segs, inList) && !literalKey())
    return kept.token({
      kind: "form",
      form: "ssh-item",
      value: parts.map((p) => (p.kind === "text" ? p.text : kept.token({ part: p }))).join(""),
    });
  // A context item whose name holds a reference: the whole item, cut by bake (keep-contexts.ts).
  if (isContextListItem(segs, inList) && !literalKey() && parts.some((p) => p.kind === "var"))
    return kept.token({
      kind: "form",
      form: "context-item",
      value: parts.map((p) => (p.kind === "text" ? p.text : kept.token({ part: p }))).join(""),
    });
  const keepable =
    (isKeepablePlace(segs) && (!keyValueItem || literalKey())) || isKeptPathPlace(segs, inList, literalKey);
  if (keepable) return parts.map((p) => (p.kind === "text" ? p.text : kept.token({ part: p }))).join("");
  const names = new Set<string>();
  const resolved = resolveUnset(parts, names);
  if (names.size > 0 && isBuildRelevant(segs)) kept.resolvedPlaces.push({ path: path(), names: [...names] });
  return resolved;
}

function readsName(parts: readonly TemplatePart[], name: string): boolean {
  return parts.some((p) => p.kind === "var" && (p.name === name || readsName(p.arg ?? [], name)));
}

/**
 * `- KEY=value` (args, labels) whose KEY (everything before the first literal `=`, or the whole item) holds a
 * reference: Compose cuts the item after interpolating it, so only bake can cut it; the whole item becomes one
 * token (`key-item`, keep-key-values.ts) holding the tokens of its references. Undefined when the key is literal.
 */
function keepKeyValueItem(parts: readonly TemplatePart[], segs: readonly string[], kept: KeptVariables) {
  const eq = parts.findIndex((p) => p.kind === "text" && p.text.includes("="));
  const keyParts = eq < 0 ? parts : parts.slice(0, eq);
  if (!keyParts.some((p) => p.kind === "var")) return undefined;
  collectRequirements(parts, [], kept);
  if (eq < 0 && segs[3] === "args") {
    // A value-less arg whose name is a reference (`- ${K}`): Compose looks the name up in the environment, then
    // looks up a variable of that name. Bake can express neither lookup, and resolving the name now would put an
    // environment value into the file (as an arg name and a variable reference), so it is resolved as if unset,
    // like other values bake cannot keep (`- ${K:-NAME}` still keeps NAME as a value-less arg).
    const names = new Set<string>();
    const resolved = resolveUnset(parts, names);
    kept.resolvedArgNames.push({ path: segs.join("."), names: [...names] });
    return resolved;
  }
  const value = parts.map((p) => (p.kind === "text" ? p.text : kept.token({ part: p }))).join("");
  return kept.token({ kind: "form", form: "key-item", value });
}

/** Whether parts can evaluate to "" under some environment (`${V:?}` cannot: it fails instead). */
function mayBeEmpty(parts: readonly TemplatePart[]): boolean {
  return parts.every((p) => (p.kind === "text" ? p.text === "" : canBeEmpty(p.op, () => mayBeEmpty(p.arg ?? []))));
}

const NO_GUARDS: readonly Guard[] = Object.freeze([]);
const NO_PARTS: readonly TemplatePart[] = Object.freeze([]);

/**
 * Records the requirements in parts, with the branches they sit in. Messages are not searched: a requirement in
 * the message of a failing one only changes which error Compose reports, not whether it fails.
 */
function collectRequirements(parts: readonly TemplatePart[], guards: Guard[], kept: KeptVariables): void {
  const scope = kept.scope;
  collectInto(parts, guards, kept.requirements, scope === undefined ? {} : { scope });
}

function collectInto(
  parts: readonly TemplatePart[],
  guards: Guard[],
  out: Requirement[],
  scope: { scope?: IncludeScope },
): void {
  // One stack of guards, copied only for a requirement (whose validation names them all anyway): copying it at
  // every level would cost the square of the nesting depth for every nested value.
  for (const p of parts) {
    if (p.kind === "text") continue;
    if (p.op === ":?" || p.op === "?")
      out.push({
        name: p.name,
        op: p.op,
        message: p.arg ?? NO_PARTS,
        guards: guards.length === 0 ? NO_GUARDS : guards.slice(),
        ...scope,
      });
    else if (p.op !== undefined) {
      guards.push({ name: p.name, op: p.op });
      collectInto(p.arg ?? [], guards, out, scope);
      guards.pop();
    }
  }
}

/** Evaluates parts as if every variable were unset, collecting the names of the variables it read. */
function resolveUnset(parts: readonly TemplatePart[], names: Set<string>): string {
  let out = "";
  for (const p of parts) {
    if (p.kind === "text") {
      out += p.text;
      continue;
    }
    names.add(p.name);
    // Unset: a requirement's failure is left to a bake validation, so it gives "" here, like a plain reference.
    if (outcome(p.op, undefined) === "arg") out += resolveUnset(p.arg ?? [], names);
  }
  return out;
}
