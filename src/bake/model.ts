/**
 * The bake file as typed data: the contract between the converter and the emitters.
 * Keys are spelled as bake spells them (`cache-from`, `dockerfile-inline`), so emitters need no rename table.
 * Reference: ../shared/docs/buildx-bake-reference.md §6 (Target struct) and §8 (variables).
 *
 * Strings hold *literal* text: emitters escape `${` and `%{` so bake does not treat them as templates.
 * A `BakeTemplate` is the one way to put a bake expression (such as a `${VAR}` reference) into a value.
 */

/** A literal string, or a template mixing literal text with bake expressions. */
export type BakeString = string | BakeTemplate;

export interface BakeTemplate {
  /** Literal parts are escaped on output; `{ expr }` parts are written as `${expr}`. */
  readonly template: ReadonlyArray<string | { readonly expr: string }>;
}

export function isTemplate(s: BakeString): s is BakeTemplate {
  return typeof s !== "string";
}

/**
 * Whether a map attribute's value is an expression bake evaluates to the map (kept extra-hosts, args, labels or contexts) rather than the
 * map itself. Decided without mistaking a map for it: a map's entries are strings or templates, never a list, so
 * a map with a key named `template` is still a map.
 */
export function isMapExpression(v: Record<string, BakeString> | BakeString): v is BakeString {
  return typeof v === "string" || Array.isArray((v as { template?: unknown }).template);
}

/**
 * One bake target. The property order of this interface is the order emitters write attributes in
 * (the order of buildx's own Target struct, so our files read like `bake --print` output).
 */
export interface BakeTarget {
  context?: BakeString;
  /**
   * A string or template only in keep mode, where a name holds a variable: an expression bake evaluates to the map
   * (a string holding a keep token before applyKeptVariables).
   */
  contexts?: Record<string, BakeString> | BakeString;
  dockerfile?: BakeString;
  "dockerfile-inline"?: BakeString;
  /** A string or template only in keep mode, where a list item's key holds a variable: see extra-hosts. */
  args?: Record<string, BakeString> | BakeString;
  labels?: Record<string, BakeString> | BakeString;
  tags?: BakeString[];
  "cache-from"?: BakeString[];
  "cache-to"?: BakeString[];
  target?: BakeString;
  secret?: BakeString[];
  ssh?: BakeString[];
  platforms?: BakeString[];
  output?: BakeString[];
  /** A string only in keep mode before applyKeptVariables, a template after it: an expression bake reads as a boolean. */
  pull?: boolean | BakeString;
  "no-cache"?: boolean | BakeString;
  network?: BakeString;
  "no-cache-filter"?: BakeString[];
  "shm-size"?: BakeString;
  ulimits?: BakeString[];
  entitlements?: BakeString[];
  /**
   * A string or template only in keep mode, where a host name holds a variable: an expression bake evaluates to
   * the map (a string holding a keep token before applyKeptVariables).
   */
  "extra-hosts"?: Record<string, BakeString> | BakeString;
  attest?: BakeString[];
}

/** Attribute names in emit order. Kept beside the interface so a new attribute is added in both places. */
export const TARGET_ATTRIBUTE_ORDER: ReadonlyArray<keyof BakeTarget> = [
  "context",
  "contexts",
  "dockerfile",
  "dockerfile-inline",
  "args",
  "labels",
  "tags",
  "cache-from",
  "cache-to",
  "target",
  "secret",
  "ssh",
  "platforms",
  "output",
  "pull",
  "no-cache",
  "network",
  "no-cache-filter",
  "shm-size",
  "ulimits",
  "entitlements",
  "extra-hosts",
  "attest",
];

export interface BakeGroup {
  targets: string[];
  description?: string;
}

export interface BakeVariableValidation {
  /** A bake (HCL) boolean expression, written without `${ }`. */
  condition: string;
  error_message: BakeString;
}

export interface BakeVariable {
  /**
   * `string` makes an unset variable a typed null (distinct from an empty one), which Compose's `-`, `?` and
   * `+` operators need; absent: untyped.
   */
  type?: "string";
  /** Literal default value, or null (only with `type`); absent means no default (bake then uses ""). */
  default?: string | null;
  description?: string;
  validation?: BakeVariableValidation[];
}

/**
 * A whole bake file. Emitters write variables, groups and targets each sorted by name,
 * map-valued attributes sorted by key, and lists in the order given here (order matters to bake).
 */
export interface BakeFile {
  variable: Record<string, BakeVariable>;
  group: Record<string, BakeGroup>;
  target: Record<string, BakeTarget>;
}
