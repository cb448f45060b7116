/**
 * Output formats: the bake file as JSON or HCL text, and the one place that decides a format from a file name
 * (`.json`/`.hcl`) and checks a name against a format asked for. Everything above (config, regenerate, index, the
 * CLI) asks here instead of reading extensions itself.
 */
import * as path from "./platform/path";
import { emitJson } from "./bake/json";
import type { BakeFile } from "./bake/model";
import { checkOutputSize } from "./bake/size";

export type OutputFormat = "json" | "hcl";

/** What is written when nothing says otherwise. */
export const DEFAULT_FORMAT: OutputFormat = "json";

/** `.hcl` → HCL, `.json` → JSON, anything else: no opinion. */
export function formatFromFileName(file: string | undefined): OutputFormat | undefined {
  const ext = file ? path.extname(file).toLowerCase() : "";
  return ext === ".hcl" ? "hcl" : ext === ".json" ? "json" : undefined;
}

/**
 * The format a run writes when no format is asked for explicitly: the output file's extension, else the format
 * that compose2bake.toml names, else the extension of the toml's `output`; undefined when none of them says
 * (the caller then writes DEFAULT_FORMAT).
 */
export function impliedFormat(
  outputFile: string | undefined,
  config: { readonly format?: OutputFormat; readonly output?: string } | undefined,
): OutputFormat | undefined {
  return formatFromFileName(outputFile) ?? config?.format ?? formatFromFileName(config?.output);
}

/**
 * The one check of an output file name against the format asked for (`--format`, or `format` beside `output` in
 * compose2bake.toml): a `.json`/`.hcl` name must match it, and any other name needs it (JSON written to
 * `out.yml` is read back by bake as a Compose file). Undefined when they agree; `shown` is the name to print.
 */
export function outputFormatProblem(
  format: OutputFormat | undefined,
  file: string | undefined,
  shown = file,
): string | undefined {
  if (file === undefined) return undefined;
  const fromName = formatFromFileName(file);
  if (!fromName) {
    return format
      ? undefined
      : `cannot tell the output format from the name ${shown}: name it .json or .hcl, or give --format json or --format hcl`;
  }
  return format && format !== fromName
    ? `the format ${format} does not match the output file's extension (${shown})`
    : undefined;
}

/** Writes the bake file; `comment` lines go first (HCL `#` lines, a JSON `"//"` key). */
export function emit(bake: BakeFile, format: OutputFormat, comment?: readonly string[]): string {
  // emitJson checks the size cap itself, while it builds the file (size.ts).
  if (format === "json") return emitJson(bake, comment);
  checkOutputSize(bake);
  // Loaded on demand: handlebars is only needed for HCL output, and most runs should not pay for it.
  const hcl = require("./bake/hcl") as typeof import("./bake/hcl");
  return hcl.emitHcl(bake, comment);
}
