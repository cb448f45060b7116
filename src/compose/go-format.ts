/**
 * Go-compatibility helpers: how Go prints and parses the values a Compose file holds, so that our messages
 * and values read exactly like docker compose's. No Compose rule lives here.
 */

/**
 * Go's `fmt.Sprint` of the numbers go-yaml decodes, which is how docker compose turns a number written in a
 * string map (`args: {A: 1.0}`) into text: integers in full, floats as `%v` (shortest digits that read back the
 * same; exponent form below 1e-4 and from 1e+06, with at least two exponent digits; `-0`, `+Inf`, `NaN`).
 */
export function goFloatText(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const [mantissa, exp] = n.toExponential().split("e") as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  // JavaScript writes numbers in this range without an exponent, with the same shortest digits.
  return String(n);
}

/** Go's %q (strconv.Quote) for the characters a compose file can hold. */
export function goQuote(s: string): string {
  // One regex pass instead of a loop per character: a refused value may be a 40,000-digit size (issue #12).
  return '"' + s.replace(GO_QUOTED, quoteChar) + '"';
}

/** What strconv.Quote escapes among the characters a compose file can hold. */
const GO_QUOTED = /["\\\x00-\x1f\x7f]/g;
const GO_ESCAPES: Readonly<Record<string, string>> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

function quoteChar(ch: string): string {
  if (ch === '"' || ch === "\\") return "\\" + ch;
  return GO_ESCAPES[ch] ?? "\\x" + ch.charCodeAt(0).toString(16).padStart(2, "0");
}

/**
 * fmt.Sprint of a decoded YAML scalar. Integers print in full; other numbers follow Go's %v (go-format.ts). In
 * build args and labels the YAML layer already gives numbers as Go's text, floats written as `1.0` or `1e6`
 * included; elsewhere such a float can no longer be told from the integer and prints as one.
 */
export function goString(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return goNumber(v);
  return String(v);
}

function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  return goFloatText(n);
}

/** Go's %T for a decoded YAML value, as shown in transform errors. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float64";
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

/** loader/interpolate.go toBoolean (also used by the mapstructure `cast` hook): undefined when not a boolean. */
export function goBoolean(value: string): boolean | undefined {
  switch (value.toLowerCase()) {
    case "true":
    case "y":
    case "yes":
    case "on":
      return true;
    case "false":
    case "n":
    case "no":
    case "off":
      return false;
    default:
      return undefined;
  }
}

/**
 * go-units RAMInBytes (v0.5): the number is everything up to the last digit, `.` or space (one space before the
 * suffix is dropped), parsed by strconv.ParseFloat; the suffix is `b`, or k/m/g/t/p (binary multiples) optionally
 * followed by `b` or `ib`, any case. The result is truncated to an integer.
 */
export function ramInBytes(s: string, invalid: (message: string) => never): number {
  let sep = -1;
  for (let i = s.length - 1; i >= 0; i--) {
    if ("0123456789. ".includes(s[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep < 0) invalid(`invalid size: '${s}'`);
  const num = s[sep] === " " ? s.slice(0, sep) : s.slice(0, sep + 1);
  let sfx = s.slice(sep + 1);
  if (!GO_FLOAT.test(num)) invalid(`strconv.ParseFloat: parsing ${goQuote(num)}: invalid syntax`);
  let size = Number(num);
  if (!Number.isFinite(size)) invalid(`strconv.ParseFloat: parsing ${goQuote(num)}: value out of range`);
  if (size < 0) invalid(`invalid size: '${s}'`);
  if (sfx !== "") {
    const bad = () => invalid(`invalid suffix: '${sfx}'`);
    if (sfx.length > 3) bad();
    sfx = sfx.toLowerCase();
    if (sfx[0] === "b") {
      if (sfx.length > 1) bad();
    } else {
      const mul = BINARY_UNITS[sfx[0]!];
      if (mul === undefined) bad();
      size *= mul!;
      if ((sfx.length === 2 && sfx[1] !== "b") || (sfx.length === 3 && sfx.slice(1) !== "ib")) bad();
    }
  }
  return Math.trunc(size);
}

/**
 * What strconv.ParseFloat accepts in decimal form (hex floats, inf and nan are left out: they never parse as sizes).
 * `\d+(\.\d*)?`, not `\d+\.?\d*`: two quantifiers over the same digits backtrack in quadratic time on a long
 * run of digits that fails later (`1…1x1`).
 */
const GO_FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BINARY_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * mapstructure's wording for a value compose-go's decoder refuses (`decoding failed due to the following error(s):`
 * and, on the next lines, `'services[a].build.pull' invalid boolean: maybe`), on one line.
 */
export function decodingMessage(service: string, place: string, message: string): string {
  return `decoding failed due to the following error(s): 'services[${service}].${place}' ${message}`;
}
