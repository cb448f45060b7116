/**
 * compose-go reads every active service's `label_file` once the project is loaded (types/project.go
 * WithServicesLabelsResolved, which `docker compose build` runs too): a missing file is refused, with its words.
 * Only the file's existence is checked here, with `stat`: its content is never read (a committed Compose file must
 * not make us read files), so a folder is told apart, a file with bad syntax is not. Paths are relative to the
 * project folder, or to the including or extended file's folder (paths.ts made those absolute already).
 * A path written with a variable in keep mode is left alone (written.ts).
 */
import { fail } from "../diagnostics";
import type { FileSystem } from "../platform/file-system";
import { fsErrorText } from "./discover";
import type { PositionTable } from "./model";
import { absPath } from "./paths";
import { placeOf } from "./positions";
import type { PlainMap } from "./raw";
import type { Judged } from "./written";

export interface LabelFileContext {
  readonly fs: FileSystem;
  readonly workingDir: string;
  readonly home: string;
  readonly positions: PositionTable;
  readonly judged: Judged;
}

export function checkLabelFiles(
  services: ReadonlyMap<string, { readonly raw: PlainMap; readonly active: boolean }>,
  ctx: LabelFileContext,
): void {
  for (const [name, { raw, active }] of services) {
    if (!active) continue;
    const v = raw.label_file;
    const base = `services.${name}.label_file`;
    const files =
      typeof v === "string"
        ? [{ file: v, place: base }]
        : Array.isArray(v)
          ? v.flatMap((f, i) => (typeof f === "string" ? [{ file: f, place: `${base}.${i}` }] : []))
          : [];
    for (const { file, place } of files) {
      if (!ctx.judged(place)) continue;
      const p = absPath(file, ctx);
      const problem = statLabelFile(ctx.fs, p);
      if (problem !== undefined) fail("label-file-missing", problem, placeOf(ctx.positions, place));
    }
  }
}

/** What compose-go says about a label file that cannot be read, as far as `stat` tells. */
function statLabelFile(fs: FileSystem, p: string): string | undefined {
  try {
    return fs.stat(p).isDirectory ? `failed to read ${p}: read ${p}: is a directory` : undefined;
  } catch (e) {
    const text = fsErrorText(e);
    return (e as { code?: unknown }).code === "ENOENT"
      ? `label file ${p} not found: stat ${p}: ${text}`
      : `open ${p}: ${text}`;
  }
}
