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
import { randomBytes } from "../platform/random";

const OPEN = "\uE000" + base64url(randomBytes(12));
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

/** 96 bits (the nonce) as 16 characters of base64url, without Buffer (browser builds have none). */
function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
