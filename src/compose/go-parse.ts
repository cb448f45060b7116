/**
 * Parsers of Go libraries compose-go relies on, reduced to "is this accepted, and if not, with which message":
 * time.ParseDuration (types.Duration), go-connections' nat.ParsePortSpec (short `ports:` syntax), compose-go's
 * transform/device.go. Each returns the error text Compose prints, or undefined when the value is accepted.
 */
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
