/**
 * A cap on the size of the bake file, checked before it is written out. Alias expansion is capped where the YAML
 * is read (compose/yaml/), but `extends` copies a service however large it is: 600 services extending one with
 * a 1 MB label would make a 600 MB file (or no file: JavaScript strings end at about 512 M characters). The
 * count is a lower bound of the output: the characters of every name, key and value, before quoting.
 */
import { fail } from "../diagnostics";
import { TARGET_ATTRIBUTE_KINDS } from "./escape";
import { isMapExpression, type BakeFile, type BakeString, type BakeTarget } from "./model";

/** Four times the largest Compose file compose2bake reads (16 MiB). */
export const MAX_OUTPUT_CHARS = 64 * 1024 * 1024;

/** The refusal of a bake file over MAX_OUTPUT_CHARS (here, and where an emitter counts as it goes: json.ts). */
export function outputTooLarge(): never {
  fail(
    "output-too-large",
    `the bake file would be larger than ${MAX_OUTPUT_CHARS} characters (extends or aliases repeat too much text)`,
  );
}

export function checkOutputSize(bake: BakeFile): void {
  let total = 0;
  const add = (n: number): void => {
    total += n;
    if (total > MAX_OUTPUT_CHARS) outputTooLarge();
  };
  const str = (s: BakeString | undefined | null): void => {
    if (s === undefined || s === null) return;
    if (typeof s === "string") add(s.length);
    else for (const part of s.template) add(typeof part === "string" ? part.length : part.expr.length);
  };
  // Walked by what each attribute holds (escape.ts's table), not by looking at values: this runs on every
  // target of every run, mostly before V8 optimises it.
  for (const name of Object.keys(bake.target)) {
    add(name.length);
    const t = bake.target[name]! as Record<string, unknown>;
    for (const attr of Object.keys(t)) {
      const value = t[attr];
      if (value === undefined) continue;
      add(attr.length);
      const kind = TARGET_ATTRIBUTE_KINDS[attr as keyof BakeTarget];
      if (kind === "list") for (const item of value as BakeString[]) str(item);
      else if (kind === "map" && !isMapExpression(value as Record<string, BakeString> | BakeString)) {
        const map = value as Record<string, BakeString>;
        for (const k of Object.keys(map)) {
          add(k.length);
          str(map[k]);
        }
      } else if (typeof value !== "boolean") str(value as BakeString);
    }
  }
  for (const name of Object.keys(bake.group)) {
    const g = bake.group[name]!;
    add(name.length);
    str(g.description);
    for (const target of g.targets) str(target);
  }
  for (const name of Object.keys(bake.variable)) {
    const v = bake.variable[name]!;
    add(name.length);
    str(v.default);
    str(v.description);
    for (const rule of v.validation ?? []) {
      add(rule.condition.length);
      str(rule.error_message);
    }
  }
}
