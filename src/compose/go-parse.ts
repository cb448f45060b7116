/**
 * Parsers of Go libraries compose-go relies on, reduced to "is this accepted, and if not, with which message":
 * time.ParseDuration (types.Duration), go-connections' nat.ParsePortSpec (short `ports:` syntax), compose-go's
 * transform/device.go. Each returns the error text Compose prints, or undefined when the value is accepted.
 */
import type { SourcePos } from "../diagnostics";
import { goQuote } from "./go-format";

const DURATION_UNITS = new Set(["ns", "us", "µs", "μs", "ms", "s", "m", "h"]);
const DIGIT = /[0-9]/;

/** time.ParseDuration's syntax errors: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or "0" (overflow is not checked). */
export function durationProblem(orig: string): string | undefined {
  const invalid = `time: invalid duration ${goQuote(orig)}`;
  let s = orig;
  if (s[0] === "-" || s[0] === "+") s = s.slice(1);
  if (s === "0") return undefined;
  if (s === "") return invalid;
  let i = 0;
  while (i < s.length) {
    if (!(s[i] === "." || DIGIT.test(s[i]!))) return invalid;
    const start = i;
    while (i < s.length && DIGIT.test(s[i]!)) i++;
    const pre = i > start;
    let post = false;
    if (s[i] === ".") {
      i++;
      const f = i;
      while (i < s.length && DIGIT.test(s[i]!)) i++;
      post = i > f;
    }
    if (!pre && !post) return invalid;
    const u = i;
    while (i < s.length && s[i] !== "." && !DIGIT.test(s[i]!)) i++;
    const unit = s.slice(u, i);
    if (unit === "") return `time: missing unit in duration ${goQuote(orig)}`;
    if (!DURATION_UNITS.has(unit)) return `time: unknown unit ${goQuote(unit)} in duration ${goQuote(orig)}`;
  }
  return undefined;
}

/** strconv.ParseUint(s, 10, 16) succeeds. */
function isPort(s: string): boolean {
  return /^[0-9]+$/.test(s) && Number(s) <= 65535;
}

/** nat.ParsePortRange: `n` or `a-b` with a ≤ b; a second `-` is left to the engine (Compose accepts `1-2-3`). */
function portRange(s: string): [number, number] | undefined {
  if (s === "") return undefined;
  const dash = s.indexOf("-");
  if (dash < 0) return isPort(s) ? [Number(s), Number(s)] : undefined;
  const [a, b] = [s.slice(0, dash), s.slice(dash + 1)];
  if (b.includes("-")) return [0, 0];
  if (!isPort(a) || !isPort(b) || Number(b) < Number(a)) return undefined;
  return [Number(a), Number(b)];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)){3}$/;

/** net.ParseIP, near enough: dotted IPv4 without leading zeros, or IPv6 (with an IPv4 tail) without a zone. */
function isIp(s: string): boolean {
  if (IPV4.test(s)) return true;
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return false;
  let rest = s;
  let groups = 0;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    if (!IPV4.test(s.slice(lastColon + 1))) return false;
    rest = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = rest.split("::");
  if (halves.length > 2) return false;
  for (const half of halves) {
    if (half === "") continue;
    for (const g of half.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      groups++;
    }
  }
  return halves.length === 2 ? groups < 8 : groups === 8;
}

/** go-connections nat.ParsePortSpec (the version Compose 2.40.3 vendors, capitalised messages). */
export function portSpecProblem(raw: string): string | undefined {
  const parts = raw.split(":");
  const n = parts.length;
  let containerPort = parts[n - 1]!;
  const hostPort = n >= 2 ? parts[n - 2]! : "";
  let ip = n >= 3 ? parts.slice(0, n - 2).join(":") : "";
  // SplitProtoPort
  let proto = "tcp";
  const slash = containerPort.split("/");
  if (containerPort === "" || slash[0] === "") {
    containerPort = "";
    proto = "";
  } else if (slash.length > 1) {
    if (slash[1] !== "") proto = slash[1]!;
    containerPort = slash[0]!;
  }
  if (ip !== "") {
    if (ip.startsWith("[")) {
      if (!ip.endsWith("]") || ip.indexOf("]") !== ip.length - 1)
        return `Invalid ip address ${ip}: address ${ip}:: missing ']' in address`;
      ip = ip.slice(1, -1);
    } else if (ip.includes(":")) {
      return `Invalid ip address ${ip}: address ${ip}:: too many colons in address`;
    }
    if (!isIp(ip)) return `Invalid ip address: ${ip}`;
  }
  if (containerPort === "") return `No port specified: ${raw}<empty>`;
  const container = portRange(containerPort);
  if (!container) return `Invalid containerPort: ${containerPort}`;
  if (hostPort !== "") {
    const host = portRange(hostPort);
    if (!host) return `Invalid hostPort: ${hostPort}`;
    if (container[1] - container[0] !== host[1] - host[0] && container[1] !== container[0])
      return `Invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`;
  }
  if (!["tcp", "udp", "sctp"].includes(proto.toLowerCase())) return `Invalid proto: ${proto}`;
  return undefined;
}

/** transform/device.go: `src[:dst[:permissions]]`; more colons are refused. */
export function deviceProblem(raw: string): string | undefined {
  return raw.split(":").length > 3 ? `confusing device mapping, please use long syntax: ${raw}` : undefined;
}

/**
 * compose-go's format.ParseVolume (short `volumes:` syntax), reduced to the error it reports or the target it
 * finds: `[source:]target[:options]`, a one-letter Windows drive never ends a section, a `${…}` never does either.
 * The target is as written (the canonical transform cleans it, see `cleanTarget`).
 */
export function parseVolumeSpec(
  spec: string,
): { readonly error: string } | { readonly source: string; readonly target: string } {
  // Go's len: bytes, not characters.
  const bytes = utf8Length(spec);
  if (bytes === 0) return { error: "invalid empty volume spec" };
  if (bytes <= 2) return { source: "", target: spec };
  let source = "";
  let target = "";
  let buffer = "";
  let inVariable = 0;
  const chars = [...spec, "\0"];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "$" && chars[i + 1] === "{") {
      inVariable++;
      buffer += c;
      continue;
    }
    if (c === "}" && inVariable > 0) {
      inVariable--;
      buffer += c;
      continue;
    }
    if (c === ":" && [...buffer].length === 1 && /^\p{L}$/u.test(buffer)) {
      buffer += c; // a Windows drive
    } else if ((c === ":" || c === "\0") && inVariable === 0) {
      let problem: string | undefined;
      if (buffer === "") problem = "empty section between colons";
      else if (source === "" && c === "\0") target = buffer;
      else if (source === "") source = buffer;
      else if (target === "") target = buffer;
      else if (c === ":") problem = "too many colons";
      if (problem !== undefined) return { error: `invalid spec: ${spec}: ${problem}` };
      buffer = "";
    } else {
      buffer += c;
    }
  }
  return { source, target };
}

function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** transform/volume.go's cleanTarget: Go's path.Clean of a non-empty target. */
export function cleanTarget(target: string): string {
  if (target === "") return "";
  const rooted = target.startsWith("/");
  const out: string[] = [];
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
    } else out.push(part);
  }
  const joined = out.join("/");
  return rooted ? "/" + joined : joined === "" ? "." : joined;
}

/**
 * The container ports a valid short port spec opens (types.ParsePortConfig: one entry per container port, sorted
 * by their `port/proto` text): how many, and the lowest, which comes first when it is 0 (`"0"` sorts before any
 * other port). Only for specs that portSpecProblem accepts; `1-2-3` (left to the engine) counts as one.
 */
export function portTargets(raw: string): { readonly count: number; readonly lowest: number } {
  const parts = raw.split(":");
  const container = parts[parts.length - 1]!.split("/")[0]!;
  const range = container.split("-");
  const lowest = Number(range[0]);
  if (range.length !== 2) return { count: 1, lowest };
  return { count: Number(range[1]) - lowest + 1, lowest };
}

/**
 * Whether go-yaml decodes this number as a float64: not whole, or written as one (`80.0`, `1e3`, `08`), which the
 * text at its position tells.
 */
export function isGoFloat(n: number, pos: SourcePos | undefined): boolean {
  if (!Number.isInteger(n)) return true;
  if (pos?.offset === undefined) return false;
  const token = /^[^\s,\]}#]*/.exec(pos.file.text.slice(pos.offset, pos.offset + 64))![0];
  if (/^[-+]?0[xX]/.test(token)) return false;
  return /[.eE]/.test(token) || /^[-+]?0[0-9_]*[89]/.test(token);
}
