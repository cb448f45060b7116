/**
 * Scalars as compose-go reads them: the YAML 1.2 core schema (what the `yaml` package resolves), then go-yaml v3's
 * own reading of plain numbers on top.
 */
import { goFloatText } from "../go-format";
import type { PlainValue, ScalarFacts } from "./types";

export type { ScalarFacts };

/**
 * The YAML 1.2 core schema's reading of an untagged plain scalar, as the `yaml` package resolves it (its tags are
 * tried in this order: null, bool, octal, decimal and hexadecimal int, .inf/.nan, float with and without exponent).
 */
export function coreValue(s: string): unknown {
  if (s === "") return null;
  const c = s.charCodeAt(0);
  // Most scalars start with a letter that no core tag can start with: a string at once.
  const maybe =
    c === 0x7e ||
    c === 0x2b ||
    c === 0x2d ||
    c === 0x2e ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x6e ||
    c === 0x4e ||
    c === 0x74 ||
    c === 0x54 ||
    c === 0x66 ||
    c === 0x46;
  if (!maybe) return s;
  if (/^(?:~|[Nn]ull|NULL)$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === "t" || s[0] === "T";
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) {
    return s.endsWith("nan") || s.endsWith("NaN") || s.endsWith("NAN") ? NaN : s[0] === "-" ? -Infinity : Infinity;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}

/**
 * A scalar's value. Untagged plain scalars that look like numbers are read the way go-yaml v3 (compose-go's
 * YAML decoder) reads them, which is not quite YAML 1.2: `0755` is octal (493), underscores are dropped
 * (`1_000` is 1000, `1_0.5` is 10.5), `0b101` is 5, `08` is the float 8. Everything else (booleans, nulls,
 * `.inf`, quoted and tagged scalars) is the YAML 1.2 core result. A date such as `2024-01-01` stays a string
 * (compose-go makes it a time.Time, which its schema then rejects outside `x-*` keys).
 */
export function goScalar(node: ScalarFacts): PlainValue {
  const src = node.source;
  if (!node.plain || src === "") return scalarValue(node.yaml);
  const first = src[0]!;
  const hint = first === "+" || first === "-" ? "S" : first >= "0" && first <= "9" ? "D" : first === "." ? "." : "";
  if (hint === "" || GO_YAML_SPECIAL.has(src)) return scalarValue(node.yaml);
  if (hint === ".") return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(src) ? Number(src) : src;
  const plain = src.replace(/_/g, "");
  const int = goParseInt(plain);
  if (int !== undefined) return int;
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return f;
  }
  return src;
}

/** Plain scalars go-yaml looks up in a table (the same values as the YAML 1.2 core schema gives). */
const GO_YAML_SPECIAL = new Set([
  ".nan",
  ".NaN",
  ".NAN",
  ".inf",
  ".Inf",
  ".INF",
  "+.inf",
  "+.Inf",
  "+.INF",
  "-.inf",
  "-.Inf",
  "-.INF",
]);

function goParseInt(s: string): number | undefined {
  const n = goParseBigInt(s);
  return n === undefined ? undefined : Number(n);
}

/**
 * A number as the text docker compose makes of it where it wants a string (go-format.ts): go-yaml decodes `1.0`
 * and `1e6` as floats and `12345678901234567890` as an exact uint64, all of which a JavaScript number would blur.
 * Undefined for anything but an untagged plain scalar that go-yaml reads as a number.
 */
export function goNumberText(node: ScalarFacts): string | undefined {
  if (!node.plain) return undefined;
  const value = goScalar(node);
  if (typeof value !== "number") return undefined;
  const src = node.source;
  if (GO_YAML_SPECIAL.has(src)) return goFloatText(value);
  const int = goParseBigInt(src.replace(/_/g, ""));
  return int !== undefined ? int.toString() : goFloatText(value);
}

/** Go's strconv.ParseInt(s, 0, 64), then ParseUint(s, 0, 64): prefixes 0x, 0o, 0b, and a leading 0 for octal. */
function goParseBigInt(s: string): bigint | undefined {
  const m = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/.exec(s);
  if (!m) return undefined;
  let n: bigint;
  if (m[2] !== undefined) n = BigInt(`0x${m[2]}`);
  else if (m[3] !== undefined) n = BigInt(`0o${m[3]}`);
  else if (m[4] !== undefined) n = BigInt(`0b${m[4]}`);
  else if (m[5] !== undefined) n = m[5] === "" ? 0n : BigInt(`0o${m[5]}`);
  else n = BigInt(m[6]!);
  if (m[1] === "-") n = -n;
  if (n < -(2n ** 63n) || n > 2n ** 64n - 1n) return undefined;
  return n;
}

export function scalarValue(v: unknown): PlainValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return String(v);
}
