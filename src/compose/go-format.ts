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
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (c === 7) out += "\\a";
    else if (c === 8) out += "\\b";
    else if (c === 12) out += "\\f";
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else if (c === 11) out += "\\v";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + '"';
}
