/**
 * Reads an HCL bake file with HashiCorp's Go HCL parser (through @cdktf/hcl2json, a WASM build) and turns the
 * result into the shape of a bake JSON file, so a test can compare `emitHcl` output with `emitJson` output.
 *
 * What hcl2json gives back, and what this keeps:
 * - labelled blocks come as arrays (`{"target": {"app": [{…}]}}`); each label must appear once and is unwrapped
 *   to `{"target": {"app": {…}}}`; nested blocks (`validation`) stay arrays, as in bake JSON;
 * - strings come back in template form, the same form bake JSON files use: escape sequences (`\"`, `\n`,
 *   `\u00e9`) are decoded, literal text is re-escaped (`${` as `$${`, `%{` as `%%{`, so `"$$${x}"` in HCL comes
 *   back as `$$${x}`), and interpolations come back as `${<expression source>}` (trimmed). A bare expression
 *   attribute (`condition = TAG != ""`) also comes back as `${TAG != ""}`, which is how bake JSON writes it;
 * - one lossy case: an interpolation of a constant string is folded into the text without re-escaping, so
 *   `${"$"}${X}` comes back as `$${X}`. Tests of that case must not go through this function.
 * Top-level keys are returned in bake JSON order (variable, group, target), each only when present.
 */

import { parse } from "@cdktf/hcl2json";
import { dict } from "../../src/dict";

const BLOCK_TYPES = ["variable", "group", "target"] as const;

export async function hclToBakeJson(text: string): Promise<unknown> {
  const raw = (await parse("docker-bake.hcl", text)) as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(BLOCK_TYPES as readonly string[]).includes(key)) throw new Error(`unexpected top-level "${key}" in HCL`);
  }
  const out = dict<unknown>();
  for (const type of BLOCK_TYPES) {
    const blocks = raw[type];
    if (blocks === undefined) continue;
    const byName = dict<unknown>();
    for (const [name, bodies] of Object.entries(blocks as Record<string, unknown>)) {
      if (!Array.isArray(bodies) || bodies.length !== 1) {
        throw new Error(`${type} "${name}" must be defined exactly once, got ${JSON.stringify(bodies)}`);
      }
      byName[name] = bodies[0];
    }
    out[type] = byName;
  }
  return out;
}

/**
 * Decodes the template form of a string with no interpolations back to its literal value: `$${` is `${`,
 * `%%{` is `%{`, scanning left to right as HCL's scanner does (`$$${` is `$` then the escape `$${`).
 * Throws on an unescaped `${` or `%{`: the parser read an interpolation or directive there, not text.
 */
export function literalFromTemplate(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if ((c === "$" || c === "%") && s[i + 1] === c && s[i + 2] === "{") {
      out += c + "{";
      i += 2;
    } else if ((c === "$" || c === "%") && s[i + 1] === "{") {
      throw new Error(`not a literal: ${JSON.stringify(s)} has a template sequence at offset ${i}`);
    } else {
      out += c;
    }
  }
  return out;
}
