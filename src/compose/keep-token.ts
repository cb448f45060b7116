/**
 * The one codec for keep-mode tokens: the in-band marker that stands for a kept reference inside a string as
 * it travels through the loader and the converter (keep.ts creates them, bake/variables.ts and the converter's
 * de-duplication read them back).
 *
 * A token is `\uE000<nonce><id>\uE001`, where the nonce is 96 random bits drawn once per process. User text
 * can hold any character, private-use ones included (YAML escapes such as `"\uE000"` reach every value, and
 * paths, names and environment values join them in the converter), so no fixed marker can be kept out of it,
 * and escaping would have to follow every string from every source. A marker that nobody can predict cannot
 * collide: a literal `\uE0000\uE001` in a Compose value stays literal text. The nonce never reaches the output
 * (every token is replaced by an expression before emitting), so output stays byte-identical across runs.
 */
import * as fs from "node:fs";

const OPEN = "\uE000" + nonce().toString("base64url");
const CLOSE = "\uE001";

/** The token for the reference with this index. */
export function encodeToken(id: number): string {
  return `${OPEN}${id}${CLOSE}`;
}

/** True when the string holds at least one token. */
export function hasToken(value: string): boolean {
  return value.includes(OPEN);
}

/** Splits a string into literal text and the indices of the tokens in it, in order; linear in its length. */
export function decodeTokens(value: string): Array<string | number> {
  const out: Array<string | number> = [];
  let last = 0;
  let at = value.indexOf(OPEN);
  while (at >= 0) {
    let end = at + OPEN.length;
    while (end < value.length && isDigit(value.charCodeAt(end))) end++;
    if (end === at + OPEN.length || !value.startsWith(CLOSE, end)) {
      throw new Error("internal error: a keep token is malformed");
    }
    if (at > last) out.push(value.slice(last, at));
    out.push(Number(value.slice(at + OPEN.length, end)));
    last = end + CLOSE.length;
    at = value.indexOf(OPEN, last);
  }
  if (last < value.length) out.push(value.slice(last));
  return out;
}

/**
 * 96 bits from the operating system's random source. Read from /dev/urandom where there is one: loading
 * node:crypto for its randomBytes costs about 10 ms of CPU on every run, a tenth of a small run's time.
 */
function nonce(): Buffer {
  const bytes = Buffer.alloc(12);
  try {
    const fd = fs.openSync("/dev/urandom", "r");
    try {
      let n = 0;
      while (n < bytes.length) {
        const got = fs.readSync(fd, bytes, n, bytes.length - n, null);
        if (got <= 0) throw new Error("short read");
        n += got;
      }
      return bytes;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // no /dev/urandom (Windows) or it failed: the same bits from node:crypto
    const { randomBytes } = require("node:crypto") as typeof import("node:crypto");
    return randomBytes(12);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
