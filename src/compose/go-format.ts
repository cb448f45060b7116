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
