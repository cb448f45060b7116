/**
 * A cap on the size of the bake file, checked before it is written out. Alias expansion is capped where the YAML
 * is read (compose/yaml/), but `extends` copies a service however large it is: 600 services extending one with
 * a 1 MB label would make a 600 MB file (or no file: JavaScript strings end at about 512 M characters). The
 * count is a lower bound of the output: the characters of every name, key and value, before quoting.
 */
import { fail } from "../diagnostics";
import type { BakeFile, BakeString } from "./model";

/** Four times the largest Compose file compose2bake reads (16 MiB). */
export const MAX_OUTPUT_CHARS = 64 * 1024 * 1024;

export function checkOutputSize(bake: BakeFile): void {
  let total = 0;
  const add = (n: number): void => {
    total += n;
    if (total > MAX_OUTPUT_CHARS) {
      fail(
        "output-too-large",
        `the bake file would be larger than ${MAX_OUTPUT_CHARS} characters (extends or aliases repeat too much text)`,
      );
    }
  };
  const str = (s: BakeString): void => {
    if (typeof s === "string") add(s.length);
    else for (const part of s.template) add(typeof part === "string" ? part.length : part.expr.length);
  };
  const value = (v: unknown): void => {
    if (typeof v === "string") add(v.length);
    else if (Array.isArray(v)) for (const item of v) value(item);
    else if (typeof v === "object" && v !== null) {
      if ("template" in v && Array.isArray((v as { template: unknown }).template)) return str(v as BakeString);
      const record = v as Record<string, unknown>;
      for (const k of Object.keys(record)) {
        add(k.length);
        value(record[k]);
      }
    }
  };
  value(bake);
}
