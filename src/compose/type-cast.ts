/**
 * compose-go's type casts during interpolation (loader/interpolate.go `interpolateTypeCastMapping`): after
 * interpolation, a string at one of these places is parsed as the type the model needs, with Go's `strconv`
 * (or compose-go's boolean words), and a string that does not parse stops the project:
 * `error while interpolating services.a.init: failed to cast to expected type: invalid boolean: foo`.
 * The cast applies to every string there, written with `${…}` or not; a YAML number or boolean is left alone.
 *
 * None of these places reaches bake; the cast values matter to the schema check that follows.
 */
import { goBoolean, goQuote } from "./go-format";
import { emptyDict } from "../dict";

type Cast = "int" | "int64" | "float" | "float32" | "boolean";

/** compose-go's table, in its path syntax: `*` is any key or list item, `[]` a list item. */
const TABLE: ReadonlyArray<readonly [string, Cast]> = [
  ["services.*.cpu_count", "int64"],
  ["services.*.cpu_percent", "float"],
  ["services.*.cpu_period", "int64"],
  ["services.*.cpu_quota", "int64"],
  ["services.*.cpu_rt_period", "int64"],
  ["services.*.cpu_rt_runtime", "int64"],
  ["services.*.cpus", "float32"],
  ["services.*.cpu_shares", "int64"],
  ["services.*.init", "boolean"],
  ["services.*.depends_on.*.required", "boolean"],
  ["services.*.depends_on.*.restart", "boolean"],
  ["services.*.deploy.replicas", "int"],
  ["services.*.deploy.update_config.parallelism", "int"],
  ["services.*.deploy.update_config.max_failure_ratio", "float"],
  ["services.*.deploy.rollback_config.parallelism", "int"],
  ["services.*.deploy.rollback_config.max_failure_ratio", "float"],
  ["services.*.deploy.restart_policy.max_attempts", "int"],
  ["services.*.deploy.placement.max_replicas_per_node", "int"],
  ["services.*.healthcheck.retries", "int"],
  ["services.*.healthcheck.disable", "boolean"],
  ["services.*.oom_kill_disable", "boolean"],
  ["services.*.oom_score_adj", "int64"],
  ["services.*.pids_limit", "int64"],
  ["services.*.ports.[].target", "int"],
  ["services.*.privileged", "boolean"],
  ["services.*.read_only", "boolean"],
  ["services.*.scale", "int"],
  ["services.*.stdin_open", "boolean"],
  ["services.*.tty", "boolean"],
  ["services.*.ulimits.*", "int"],
  ["services.*.ulimits.*.hard", "int"],
  ["services.*.ulimits.*.soft", "int"],
  ["services.*.volumes.[].read_only", "boolean"],
  ["services.*.volumes.[].volume.nocopy", "boolean"],
  ["networks.*.external", "boolean"],
  ["networks.*.internal", "boolean"],
  ["networks.*.attachable", "boolean"],
  ["networks.*.enable_ipv4", "boolean"],
  ["networks.*.enable_ipv6", "boolean"],
  ["volumes.*.external", "boolean"],
  ["secrets.*.external", "boolean"],
  ["configs.*.external", "boolean"],
];

/** The table as a trie over path segments, so a document is walked once and only where a cast may apply. */
interface Node {
  readonly keys: Map<string, Node>;
  any?: Node;
  item?: Node;
  cast?: Cast;
}

const newNode = (): Node => ({ keys: new Map() });
const ROOT = newNode();
for (const [pattern, cast] of TABLE) {
  let node = ROOT;
  for (const seg of pattern.split(".")) {
    if (seg === "*") node = node.any ??= newNode();
    else if (seg === "[]") node = node.item ??= newNode();
    else {
      let next = node.keys.get(seg);
      if (!next) node.keys.set(seg, (next = newNode()));
      node = next;
    }
  }
  node.cast = cast;
}

/** A string at a cast place that does not parse. */
export interface CastFailure {
  /** Our dotted path (list items as their index), to find the value's position. */
  readonly path: string;
  /** compose-go's message, path written its way (`ports.[].target`). */
  readonly message: string;
}

/**
 * Casts the strings at the places of the table, as compose-go does after interpolating a document, so the schema
 * sees what Compose's sees (`cpu_count: "-1"` is then a negative integer). Returns the document (copied only
 * where a value changed) or the first string that does not parse, in document order (compose-go walks Go maps,
 * in no set order, and stops at the first). `text` gives the string to cast from the value at the same place of
 * `source`, or undefined to leave it as it is: keep mode passes the document as written and skips a value that
 * holds a variable, as its value is only known when bake runs (none of these places is a build key).
 */
export function applyTypeCasts(
  document: unknown,
  source: unknown = document,
  text: (value: string) => string | undefined = (v) => v,
): { value: unknown } | { failure: CastFailure } {
  const ours: string[] = [];
  const theirs: string[] = [];
  let failure: CastFailure | undefined;
  const walk = (value: unknown, from: unknown, node: Node): unknown => {
    if (typeof value === "string") {
      if (!node.cast || typeof from !== "string") return value;
      const s = text(from);
      if (s === undefined) return value;
      const problem = castProblem(node.cast, s);
      if (problem === undefined) return castValue(node.cast, s);
      failure = {
        path: ours.join("."),
        message: `error while interpolating ${theirs.join(".")}: failed to cast to expected type: ${problem}`,
      };
      return value;
    }
    if (Array.isArray(value)) {
      const child = node.item ?? node.any;
      if (!child) return value;
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length && !failure; i++) {
        ours.push(String(i));
        theirs.push("[]");
        const next = walk(value[i], Array.isArray(from) ? from[i] : undefined, child);
        if (next !== value[i]) (out ??= value.slice())[i] = next;
        ours.pop();
        theirs.pop();
      }
      return out ?? value;
    }
    if (value === null || typeof value !== "object") return value;
    const map = value as Record<string, unknown>;
    const fromMap = from !== null && typeof from === "object" ? (from as Record<string, unknown>) : undefined;
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(map)) {
      const child = node.keys.get(key) ?? node.any;
      if (!child) continue;
      ours.push(key);
      theirs.push(key);
      const next = walk(
        map[key],
        fromMap && Object.prototype.hasOwnProperty.call(fromMap, key) ? fromMap[key] : undefined,
        child,
      );
      // Null prototype, as every mapping the loader makes: a key such as `__proto__` stays an ordinary entry.
      if (next !== map[key]) (out ??= Object.assign(emptyDict<Record<string, unknown>>(), map))[key] = next;
      ours.pop();
      theirs.pop();
      if (failure) break;
    }
    return out ?? value;
  };
  const value = walk(document, source, ROOT);
  return failure ? { failure } : { value };
}

function castValue(cast: Cast, s: string): boolean | number {
  if (cast === "boolean") return goBoolean(s)!;
  // Go's float parsing takes `_` between digits, `inf` and `nan`; JavaScript's Number takes neither spelling.
  if (/^[+-]?inf(inity)?$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  const n = cast === "int" || cast === "int64" ? Number(s) : (readGoFloat(s) ?? NaN);
  return cast === "float32" ? Math.fround(n) : n;
}

/** Why `s` does not cast, in Go's words, or undefined when it does. */
export function castProblem(cast: Cast, s: string): string | undefined {
  switch (cast) {
    case "boolean":
      return goBoolean(s) === undefined ? `invalid boolean: ${s}` : undefined;
    case "int":
      return numError("Atoi", s, goIntProblem(s));
    case "int64":
      return numError("ParseInt", s, goIntProblem(s));
    case "float":
      return numError("ParseFloat", s, goFloatProblem(s, 64));
    case "float32":
      return numError("ParseFloat", s, goFloatProblem(s, 32));
  }
}

type NumProblem = "invalid syntax" | "value out of range" | undefined;

function numError(fn: string, s: string, problem: NumProblem): string | undefined {
  return problem && `strconv.${fn}: parsing ${goQuote(s)}: ${problem}`;
}

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MAX = (1n << 63n) - 1n;

/**
 * strconv.ParseInt(s, 10, 64) (Atoi is the same on 64-bit Go): an optional sign, then decimal digits only. The
 * digits are read as an unsigned number first, which stops with "out of range" as soon as it passes 2^64-1,
 * even if a bad character follows.
 */
export function goIntProblem(s: string): NumProblem {
  let i = 0;
  const negative = s[0] === "-";
  if (s[0] === "+" || s[0] === "-") i = 1;
  if (i >= s.length) return "invalid syntax";
  let n = 0n;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return "invalid syntax";
    n = n * 10n + BigInt(c - 0x30);
    if (n > UINT64_MAX) return "value out of range";
  }
  return n > (negative ? INT64_MAX + 1n : INT64_MAX) ? "value out of range" : undefined;
}

/**
 * strconv.ParseFloat(s, bits): Go's float syntax (decimal, or hexadecimal `0x…p…` with a required exponent;
 * `_` between digits; `inf`, `infinity` with an optional sign and `nan`, any case), and "out of range" when the
 * value rounds beyond the largest finite float of that size.
 */
export function goFloatProblem(s: string, bits: 32 | 64): NumProblem {
  const special = /^(?:[+-]?(?:inf|infinity)|nan)$/i.test(s);
  if (special) return undefined;
  const value = readGoFloat(s);
  if (value === undefined) return "invalid syntax";
  const rounded = bits === 32 ? Math.fround(value) : value;
  return Number.isFinite(rounded) ? undefined : "value out of range";
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isHexDigit = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** strconv's readFloat (syntax) plus underscoreOK, and the value as a JavaScript number; undefined if invalid. */
function readGoFloat(s: string): number | undefined {
  let i = 0;
  let negative = false;
  if (s[i] === "+" || s[i] === "-") negative = s[i++] === "-";
  const hex = i + 2 < s.length && s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X");
  if (hex) i += 2;
  let mantissa = "";
  let fractionDigits = 0;
  let sawDot = false;
  let underscores = false;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === "_") underscores = true;
    else if (c === ".") {
      if (sawDot) break;
      sawDot = true;
    } else if (hex ? isHexDigit(c) : isDigit(c)) {
      mantissa += c;
      if (sawDot) fractionDigits++;
    } else break;
  }
  if (mantissa === "") return undefined;
  let exponent = 0;
  const expChar = hex ? "p" : "e";
  if (s[i]?.toLowerCase() === expChar) {
    i++;
    let sign = 1;
    if (s[i] === "+" || s[i] === "-") sign = s[i++] === "-" ? -1 : 1;
    if (!isDigit(s[i])) return undefined;
    let digits = "";
    for (; i < s.length && (isDigit(s[i]) || s[i] === "_"); i++) {
      if (s[i] === "_") underscores = true;
      else digits += s[i];
    }
    // Go caps the exponent it accumulates at 10,000: far past any finite float, either way.
    exponent = sign * Math.min(Number(digits), 100_000);
  } else if (hex) return undefined;
  if (i !== s.length) return undefined;
  if (underscores && !underscoreOK(s)) return undefined;
  let value: number;
  if (hex) {
    value = parseHexMantissa(mantissa) * 2 ** (exponent - 4 * fractionDigits);
    // 2 ** a large exponent times a mantissa of many digits can be NaN (0 × Infinity): a zero mantissa is zero.
    if (Number.isNaN(value)) value = 0;
  } else {
    value = Number(
      `${mantissa.slice(0, mantissa.length - fractionDigits) || "0"}.${mantissa.slice(mantissa.length - fractionDigits)}e${exponent}`,
    );
  }
  return negative ? -value : value;
}

function parseHexMantissa(digits: string): number {
  let n = 0;
  for (const d of digits) n = n * 16 + parseInt(d, 16);
  return n;
}

/** strconv.underscoreOK: each `_` sits between digits (a base prefix counts as a digit). */
function underscoreOK(text: string): boolean {
  let s = text;
  if (s[0] === "+" || s[0] === "-") s = s.slice(1);
  let saw = "^";
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "boxBOX".includes(s[1]!)) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (isDigit(c) || (hex && isHexDigit(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}
