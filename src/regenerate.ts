/**
 * The command that regenerates an output file, and the comment that heads it. Both are derived from the
 * effective settings, never from the command line as typed, so the file is the same bytes whether it was
 * written or `--check`ed, whichever spelling of the flags was used and whichever folder compose2bake ran in:
 * - the command runs in the folder of compose2bake.toml when one was used, else in the project folder;
 * - a flag is written only when its setting differs from what compose2bake.toml (or the default) gives there,
 *   so `compose2bake` alone when the toml file says everything;
 * - paths are relative (to that folder in the command, to the output file's folder in the header);
 * - no date and no version number: a `--check` pinned in CI must not fail when only compose2bake changed.
 */
import * as path from "./platform/path";
import type { Config } from "./config/load";
import { CONFIG_FILE_NAME } from "./config/load";
import { DEFAULT_FORMAT, impliedFormat, type OutputFormat } from "./emit";

/** The settings, after compose2bake.toml was layered under the explicit options (see `withConfig`). */
export interface EffectiveSettings {
  readonly cwd: string;
  /** As given (relative to cwd), `-` for standard input. */
  readonly files?: readonly string[];
  readonly projectDirectory?: string;
  readonly projectName?: string;
  readonly envFiles?: readonly string[];
  readonly profiles?: readonly string[];
  readonly services?: readonly string[];
  readonly outputFile?: string;
  readonly format: OutputFormat;
  readonly absolutePaths?: boolean;
  readonly variables?: "keep" | "resolve";
  readonly config?: Config;
}

export interface Regenerate {
  /** The command line, shell-quoted. */
  readonly command: string;
  /** Absolute folder to run it in. */
  readonly folder: string;
}

/** The canonical command that writes `settings.outputFile` again, and the folder to run it in. */
export function regenerateCommand(settings: EffectiveSettings, projectDir: string): Regenerate {
  const { cwd, config } = settings;
  const abs = (p: string) => path.resolve(cwd, p);
  const folder = config?.file ? path.dirname(config.file) : projectDir;
  const rel = (p: string) => relativePath(folder, p);
  const args: string[] = [];

  const files = nonEmpty(settings.files)?.map((f) => (f === "-" ? f : abs(f)));
  const cliFiles = files && !sameList(files, config?.files) ? files : undefined;
  for (const f of cliFiles ?? []) args.push("-f", f === "-" ? f : rel(f));

  if (settings.projectDirectory !== undefined) {
    const dir = abs(settings.projectDirectory);
    const firstFile = cliFiles?.[0] ?? config?.files?.[0];
    const defaultDir =
      config?.projectDirectory ??
      (firstFile === undefined ? folder : firstFile === "-" ? folder : path.dirname(firstFile));
    if (dir !== defaultDir) args.push("--project-directory", rel(dir));
  }
  if (settings.projectName !== undefined && settings.projectName !== config?.projectName)
    args.push("-p", settings.projectName);
  const envFiles = nonEmpty(settings.envFiles)?.map(abs);
  if (envFiles && !sameList(envFiles, config?.envFiles)) for (const f of envFiles) args.push("--env-file", rel(f));
  const profiles = nonEmpty(settings.profiles);
  if (profiles && !sameList(profiles, config?.profiles)) for (const p of profiles) args.push("--profile", p);

  const output = settings.outputFile === undefined ? undefined : abs(settings.outputFile);
  const cliOutput = output !== config?.output ? output : undefined;
  if (settings.format !== (impliedFormat(cliOutput, config) ?? DEFAULT_FORMAT)) args.push("--format", settings.format);
  if (cliOutput !== undefined) args.push("-o", rel(cliOutput));
  else if (output === undefined && config?.output !== undefined) args.push("-o", "-");

  if ((settings.absolutePaths ?? false) !== (config?.absolutePaths ?? false)) {
    args.push(settings.absolutePaths ? "--absolute-paths" : "--no-absolute-paths");
  }
  if ((settings.variables ?? "keep") !== (config?.variables ?? "keep")) {
    args.push(settings.variables === "resolve" ? "--resolve" : "--no-resolve");
  }
  if (config?.file && path.basename(config.file) !== CONFIG_FILE_NAME)
    args.push("--config", path.basename(config.file));

  const services = nonEmpty(settings.services);
  if (services && !sameList(services, config?.services)) {
    if (services.some((s) => s.startsWith("-"))) args.push("--");
    args.push(...services);
  }
  return { command: ["compose2bake", ...args].map(shellQuote).join(" "), folder };
}

/** "run `compose2bake …`" as said from `cwd`: with a `cd` first when the command runs elsewhere. */
export function regenerateHint(regenerate: Regenerate, cwd: string): string {
  const dir = relativePath(cwd, regenerate.folder);
  return dir === "." ? `\`${regenerate.command}\`` : `\`cd ${shellQuote(dir)} && ${regenerate.command}\``;
}

export interface HeaderInput {
  readonly outputFile: string;
  /** Absolute paths of the Compose files, `-` for standard input. */
  readonly composeFiles: readonly string[];
  readonly configFile?: string;
  readonly regenerate: Regenerate;
  readonly absolutePaths: boolean;
}

/**
 * The lines of the comment at the top of the output (without `# `): what it was made from, how to regenerate
 * it, where hand-written additions go, and where bake must run. Always `-f`: without it, bake also reads a
 * Compose file sitting beside this one and merges the two (checked with buildx 0.29.1).
 */
export function headerLines(h: HeaderInput): string[] {
  const outDir = path.dirname(h.outputFile);
  const rel = (p: string) => (p === "-" ? "standard input" : shellQuote(relativePath(outDir, p)));
  const sources = [...h.composeFiles.map(rel), ...(h.configFile ? [rel(h.configFile)] : [])];
  const name = path.basename(h.outputFile);
  const stem = name.replace(/\.(json|hcl)$/i, "").replace(/\.override$/i, "");
  const override = `${stem}.override.hcl`;
  const where = relativePath(outDir, h.regenerate.folder);
  return [
    `Generated by compose2bake from ${joinWords(sources)}.`,
    where === "."
      ? "Do not edit: to regenerate it, run in this folder"
      : `Do not edit: to regenerate it, run in ${shellQuote(where)} (from this folder)`,
    `  ${h.regenerate.command}`,
    `Put hand-written targets and overrides in ${shellQuote(override)}, and run bake`,
    h.absolutePaths ? "always with -f" : "in this folder, where the relative paths below start from, always with -f",
    "(without it, bake also reads a Compose file it finds in its folder):",
    `  docker buildx bake -f ${shellQuote(name)} -f ${shellQuote(override)}`,
  ];
}

/** POSIX-style relative path, "." for the folder itself. */
export function relativePath(from: string, to: string): string {
  const r = path.relative(from, to);
  return r === "" ? "." : r.split(path.sep).join("/");
}

/**
 * Quotes a word for a POSIX shell. Words with control characters (a newline in a file name) use `$'…'`
 * escapes, so the result is always one line: it goes into a `#` comment, which a line break would end.
 */
export function shellQuote(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  if (!/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(word)) return `'${word.replace(/'/g, `'\\''`)}'`;
  let out = "$'";
  for (const ch of word) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\" || ch === "'") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else if ((c >= 0x80 && c <= 0x9f) || c === 0x2028 || c === 0x2029) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + "'";
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? "";
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

function nonEmpty<T>(list: readonly T[] | undefined): readonly T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

function sameList(a: readonly string[], b: readonly string[] | undefined): boolean {
  return b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}
