/**
 * The top-level `secrets:` mapping → ComposeSecrets, the way compose-go loads it (transform/external.go,
 * validation/validation.go checkFileObject, paths/unix.go for `file`). Build secrets (`build.secrets`) only name
 * these; normalize-build.ts reads them.
 */
import { fail } from "../diagnostics";
import { dict } from "../dict";
import type { ComposeSecret } from "./model";
import { toBoolean, type NormalizeContext } from "./normalize-build";
import { maybeUnixPath } from "./paths";
import { placeOf } from "./positions";
import { isMap, nonEmpty, type PlainMap } from "./raw";

/** Normalises the top-level `secrets:` value (undefined or null means none). */
export function normalizeSecrets(raw: unknown, ctx: NormalizeContext): Record<string, ComposeSecret> {
  const result = dict<ComposeSecret>();
  if (raw === undefined || raw === null) return result;
  for (const [key, value] of Object.entries(raw as PlainMap)) {
    const def = value as PlainMap;
    const p = `secrets.${key}`;
    let external: boolean | undefined;
    let name = nonEmpty(def.name as string | undefined);
    const ext = def.external;
    if (typeof ext === "boolean") external = ext;
    else if (typeof ext === "string") external = toBoolean(ext, `${p}.external`, ctx);
    else if (isMap(ext)) {
      // transform/external.go: `external: {name: x}` means `external: true` plus the (deprecated) name.
      external = true;
      if ("name" in ext) {
        if ("name" in def && ext.name !== def.name) {
          fail(
            "secret-name-conflict",
            `${p}: name and external.name conflict; only use name`,
            placeOf(ctx.positions, `${p}.external.name`),
          );
        }
        name ??= nonEmpty(ext.name as string | undefined);
      }
    }
    // validation/validation.go checkFileObject: keys are counted when present, whatever their value.
    const count = ("file" in def ? 1 : 0) + ("environment" in def ? 1 : 0);
    if (count > 1) {
      fail("secret-source", `${p}: file|environment attributes are mutually exclusive`, placeOf(ctx.positions, p));
    }
    if (count === 0 && !("driver" in def) && !("external" in def)) {
      fail("secret-source", `${p}: one of file|environment must be set`, placeOf(ctx.positions, p));
    }
    // An empty `file:` is the project folder (compose-go's maybeUnixPath joins it), not a missing one.
    const file = typeof def.file === "string" ? def.file : undefined;
    result[key] = {
      // compose-go names a non-external secret `<project>_<key>`; the project name is not known here, and bake
      // only uses the key, so the key stands in for it (an explicit name always wins).
      name: name ?? key,
      file: file === undefined ? undefined : maybeUnixPath(file, ctx),
      environment: nonEmpty(def.environment as string | undefined),
      external,
    };
  }
  return result;
}
