/**
 * Kept paths (issue #13 item 1): in keep mode a build context, a local additional context, an ssh key path or a
 * secret's `file:` that holds `${VAR}` references stays a bake expression instead of being resolved as if unset.
 * Compose resolves such a value after interpolating it, from the folder of the file that declared it (an included
 * project's folder, an extended file's folder: compose-go's paths/ package, mirrored by paths.ts), so the loader
 * wraps the whole value in one `path` piece that remembers that folder and which of Compose's rules applies; the
 * converter then says how the folder is written (relative to the output file, or absolute) and the bake side
 * (bake/path-expression.ts) writes Compose's rule as an expression.
 */

/**
 * Which of compose-go's path rules a value follows:
 * - `context` (absContextPath on `build.context`): remote values (`://` anywhere, `service:`, git and http
 *   prefixes) are left alone, `~` is the home folder, a relative path is joined to the declaring file's folder;
 *   empty is the main project's folder (compose-go leaves "" until the project is normalised to ".");
 * - `additional-context` (the same rule on `additional_contexts` values): empty stays empty, and `service:NAME`
 *   becomes `target:<NAME's target>`, as Compose writes it for bake;
 * - `unix` (maybeUnixPath on ssh key paths and secret files): no remote values, Unix or Windows absolute paths
 *   kept, anything else (empty included) joined to the declaring file's folder.
 */
export type PathRule = "context" | "additional-context" | "unix";

/** A whole path value holding kept references (see the file comment). */
export interface KeptPath {
  readonly kind: "path";
  /** The value, with the tokens of its own references. */
  readonly value: string;
  readonly rule: PathRule;
  /** Absolute folder a relative value is joined to. */
  readonly base: string;
  /** How the converter writes folders (set when the target is converted; needed to write the expression). */
  readonly written?: WrittenFolders;
}

export interface WrittenFolders {
  /** `base` as the bake file writes it (relative to the output folder, or absolute). */
  readonly base: string;
  /** The main project's folder, as the bake file writes it (an empty `context`). */
  readonly project: string;
}

/** Keeps a path value: the value with every kept path in it given its base folder (see PathKeeper in paths.ts). */
export type KeepPath = (value: string, rule: PathRule, base: string) => string;

/** `- key=value` list items of these build keys hold a path after the first `=`. */
const PATH_LISTS = new Set(["additional_contexts", "ssh"]);

/**
 * A place holding a path keep mode can keep: `services.*.build` (short form), `build.context`, the values of
 * `build.additional_contexts` and `build.ssh` (a list item only when its key, before the first `=`, is literal:
 * bake keys cannot hold variables), and `secrets.*.file`.
 */
export function isKeptPathPlace(segs: readonly string[], inList: boolean, literalKey: () => boolean): boolean {
  if (segs[0] === "secrets") return segs.length === 3 && segs[2] === "file" && !inList;
  if (segs[0] !== "services" || segs[2] !== "build") return false;
  if (segs.length === 3) return !inList;
  if (segs.length === 4) return segs[3] === "context";
  return segs.length === 5 && PATH_LISTS.has(segs[3]!) && (!inList || literalKey());
}
