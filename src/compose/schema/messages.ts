/**
 * The wording of schema errors, as compose-go prints them (schema/schema.go validationError, santhosh-tekuri/jsonschema
 * v6 kind/*.go): one message per failing location chosen by validate.ts.
 */
import { goQuote } from "../go-format";

/** One failed keyword, as santhosh-tekuri/jsonschema would report it. */
export interface Leaf {
  readonly kind: "leaf";
  /** Instance location, one key or index per step. */
  readonly path: readonly string[];
  readonly keyword: string;
  /** The schema object and instance that failed, to merge and filter errors of one keyword check. */
  readonly node: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** `additionalProperties`: every key not allowed; `required`: every key missing. */
  readonly names: string[];
}

export function message(leaf: Leaf, model: unknown): string {
  // compose-go prints an empty path for the top level; a word reads better in `file:line:col: error: …`.
  const p = leaf.path.length === 0 ? "(root)" : leaf.path.join(".");
  const params = leaf.params;
  switch (leaf.keyword) {
    case "type": {
      const t = params.type;
      return `${p} must be a ${humanReadableType(Array.isArray(t) ? (t as string[]) : [String(t)])}`;
    }
    case "minimum":
      return `${p} must be greater than or equal to ${String(params.limit)}`;
    case "maximum":
      return `${p} must be less than or equal to ${String(params.limit)}`;
    case "required":
      return leaf.names.length === 1
        ? `${p} missing property ${quote(leaf.names[0]!)}`
        : `${p} missing properties ${leaf.names.map(quote).join(", ")}`;
    case "additionalProperties":
      return `${p} additional properties ${leaf.names.map(quote).join(", ")} not allowed`;
    case "enum": {
      const want = (params.allowedValues as unknown[]).map(display);
      return want.length === 1 ? `${p} value must be ${want[0]}` : `${p} value must be one of ${want.join(", ")}`;
    }
    case "pattern":
      return `${p} ${quote(String(valueAt(model, leaf.path)))} does not match pattern ${quote(String(params.pattern))}`;
    case "uniqueItems":
      return `${p} items at ${String(params.i)} and ${String(params.j)} are equal`;
    case "oneOf": {
      const [a, b] = params.passingSchemas as number[];
      return `${p} oneOf failed, subschemas ${a}, ${b} matched`;
    }
    default:
      return `${p} ${leaf.keyword} failed`;
  }
}

function valueAt(model: unknown, path: readonly string[]): unknown {
  let v = model;
  for (const k of path) v = Array.isArray(v) ? v[Number(k)] : (v as Record<string, unknown>)[k];
  return v;
}

/** schema/schema.go humanReadableType: one `object` is "mapping"; several types are mapped, sorted, joined. */
function humanReadableType(want: readonly string[]): string {
  if (want.length === 1) return want[0] === "object" ? "mapping" : want[0]!;
  const names = want.map((t) => (t === "object" ? "mapping" : t)).sort();
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/** jsonschema's `quote`: Go's %q with single quotes outside. */
function quote(s: string): string {
  const q = goQuote(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${q}'`;
}

/** jsonschema's `display` of an enum value: strings quoted, other primitives as Go's %v. */
function display(v: unknown): string {
  return typeof v === "string" ? quote(v) : String(v);
}
