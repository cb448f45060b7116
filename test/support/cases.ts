/**
 * The one reader of the three case corpora: examples/ (user-facing), test/fixtures/ (the CLI's output) and
 * test/loading/ (what loading gives, judged by docker-compose). Every case is a folder in the same format
 * (test/README.md shows it whole):
 *
 * - the project: compose files, `.env`, env files, Dockerfiles, secret files, sub-folders…;
 * - `README` (optional; required in test/loading/): what the case checks;
 * - `case.json` (optional): `{ "args": [...], "env": {...}, "cwd": "sub" }`: the command-line arguments (as
 *   typed: `["--profile", "debug", "-f", "a.yaml"]`), the environment laid over the check's fixed one, and the
 *   current folder relative to the case folder;
 * - `docker-bake.json`, `docker-bake.hcl`: what `compose2bake [args] -o docker-bake.<ext>` writes there;
 * - `expected-stderr.txt`: the CLI's diagnostics, one per line (absent: silent), without its last line
 *   (`compose2bake: wrote …`); an error case has this file and no `docker-bake.*`;
 * - `expected-project.json`, `expected-load-error.txt`, `expected-load-warnings.txt`: what `loadProject` gives
 *   (test/loading.test.ts says how), and `expected-compose-error.txt`, `divergence.txt`: docker-compose's side.
 *
 * Which checks run on a case depends on which of these files it has; the HCL ≡ JSON invariant runs on all.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../src/cli/main";
import { REPO, fixedEnv } from "./run";

export const CORPORA = {
  examples: path.join(REPO, "examples"),
  fixtures: path.join(REPO, "test", "fixtures"),
  loading: path.join(REPO, "test", "loading"),
} as const;

export type Corpus = keyof typeof CORPORA;

/**
 * Cases whose expected files hold the right output (what docker compose does) while compose2bake, because of a
 * bug in code this suite may not change, gives another: their comparison tests are marked `test.failing`, so the
 * bug shows in every run and the test turns red once it is fixed (then remove the entry). Keyed `corpus/name`.
 */
export const KNOWN_BUGS: Readonly<Record<string, string>> = {};

/** `case.json`. */
export interface CaseSpec {
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface Case {
  readonly corpus: Corpus;
  readonly name: string;
  /** `corpus/name`, the case's name in test titles. */
  readonly id: string;
  readonly dir: string;
  /** The current folder (absolute). */
  readonly cwd: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** What the CLI is expected to do: `ok` (docker-bake.json), `error` (expected-stderr.txt alone), or nothing. */
  readonly cli?: "ok" | "error";
  /** What loadProject is expected to do: `ok` (expected-project.json), `error` (expected-load-error.txt), or nothing. */
  readonly load?: "ok" | "error";
}

/** Files of a case folder that are test metadata, not project input. */
export function isCaseMetaFile(name: string): boolean {
  return (
    name === "README" ||
    name === "case.json" ||
    name === "divergence.txt" ||
    /^docker-bake\.(json|hcl)$/.test(name) ||
    name.startsWith("expected-")
  );
}

export function caseNames(corpus: Corpus): string[] {
  const root = CORPORA[corpus];
  return fs
    .readdirSync(root)
    .filter((d) => fs.statSync(path.join(root, d)).isDirectory())
    .sort();
}

export function readCase(corpus: Corpus, name: string): Case {
  const dir = path.join(CORPORA[corpus], name);
  const has = (f: string) => fs.existsSync(path.join(dir, f));
  const specFile = path.join(dir, "case.json");
  const spec = has("case.json") ? (JSON.parse(fs.readFileSync(specFile, "utf8")) as CaseSpec) : {};
  const unknown = Object.keys(spec).filter((k) => !["args", "env", "cwd"].includes(k));
  if (unknown.length > 0) throw new Error(`${specFile}: unknown keys ${unknown.join(", ")} (expected args, env, cwd)`);
  const cli = has("docker-bake.json") ? "ok" : has("expected-stderr.txt") ? "error" : undefined;
  const load = has("expected-project.json") ? "ok" : has("expected-load-error.txt") ? "error" : undefined;
  return {
    corpus,
    name,
    id: `${corpus}/${name}`,
    dir,
    cwd: path.join(dir, spec.cwd ?? "."),
    args: spec.args ?? [],
    env: spec.env ?? {},
    ...(cli && { cli }),
    ...(load && { load }),
  };
}

export function readCases(...corpora: Corpus[]): Case[] {
  return corpora.flatMap((corpus) => caseNames(corpus).map((n) => readCase(corpus, n)));
}

export function caseFile(c: Case, file: string): string {
  return path.join(c.dir, file);
}

/** A file of the case; `missing` when it does not exist (without it, a missing file is an error). */
export function readCaseFile(c: Case, file: string, missing?: string): string {
  const f = caseFile(c, file);
  return missing !== undefined && !fs.existsSync(f) ? missing : fs.readFileSync(f, "utf8");
}

/** For UPDATE_GOLDEN: writes the file, or removes it when `text` is undefined. */
export function writeCaseFile(c: Case, file: string, text: string | undefined): void {
  if (text === undefined) fs.rmSync(caseFile(c, file), { force: true });
  else fs.writeFileSync(caseFile(c, file), text);
}

/** The case's command line, read the way compose2bake and docker compose read it. */
export interface CaseOptions {
  files?: string[];
  projectDirectory?: string;
  projectName?: string;
  envFiles?: string[];
  profiles?: string[];
  services?: string[];
  /** `--resolve`: substitute variables like compose (default: keep them as bake variables). */
  resolve?: boolean;
  absolutePaths?: boolean;
}

/** The flags a case may use (the ones docker compose shares, plus --resolve and --absolute-paths). */
export function caseOptions(args: readonly string[]): CaseOptions {
  const out: CaseOptions = {};
  const push = (key: "files" | "envFiles" | "profiles" | "services", v: string) => (out[key] ??= []).push(v);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "-f" || a === "--file") push("files", value());
    else if (a === "--profile") push("profiles", value());
    else if (a === "-p" || a === "--project-name") out.projectName = value();
    else if (a === "--project-directory") out.projectDirectory = value();
    else if (a === "--env-file") push("envFiles", value());
    else if (a === "--absolute-paths") out.absolutePaths = true;
    else if (a === "--resolve") out.resolve = true;
    else if (a.startsWith("-")) throw new Error(`a case cannot use the flag ${a} (test/support/cases.ts caseOptions)`);
    else push("services", a);
  }
  return out;
}

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI's own `main` in this process on a case, the given format written to stdout; `args` replaces the
 * case's own. The environment is `baseEnv` (default: test/support/run.ts fixedEnv) with the case's laid over it.
 */
export async function runCli(
  c: Case,
  format: "json" | "hcl",
  o: { cwd?: string; baseEnv?: Record<string, string>; args?: readonly string[] } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const status = await main([...(o.args ?? c.args), "--format", format], {
    cwd: o.cwd ?? c.cwd,
    env: { ...(o.baseEnv ?? fixedEnv()), ...c.env },
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { status, stdout, stderr };
}

/**
 * Copies the case's project (not its metadata) to `<root>/<corpus>/<name>`: the same folder name, so the same
 * default project name. Returns the copy's folder.
 */
export function copyCase(c: Case, root: string): string {
  const copy = path.join(root, c.corpus, c.name);
  fs.mkdirSync(path.dirname(copy), { recursive: true });
  fs.cpSync(c.dir, copy, {
    recursive: true,
    filter: (src) => !(path.dirname(src) === c.dir && isCaseMetaFile(path.basename(src))),
  });
  return copy;
}

export interface BakeFileRun {
  status: number;
  /** The file written, or undefined when there is none. */
  text?: string;
  /** The diagnostics: stderr without its last line, `compose2bake: wrote …`, which is in `wrote`. */
  stderr: string;
  wrote?: string;
}

/**
 * `compose2bake [args] -o docker-bake.<format>`, run in-process in a fresh copy of the case (so nothing is written
 * into the source tree), with the copy's folder written `<case>` in messages that quote an absolute path.
 */
export async function writeBakeFile(c: Case, format: "json" | "hcl"): Promise<BakeFileRun> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-case-")));
  try {
    const copy = copyCase(c, root);
    const cwd = path.join(copy, path.relative(c.dir, c.cwd));
    const out = path.join(copy, `docker-bake.${format}`);
    let stderr = "";
    const status = await main([...c.args, "-o", path.relative(cwd, out)], {
      cwd,
      env: { ...fixedEnv(), ...c.env },
      stdout: (t) => (stderr += `(stdout) ${t}`),
      stderr: (t) => (stderr += t),
    });
    stderr = stderr.split(copy + path.sep).join("<case>/");
    const wrote = /(^|\n)(compose2bake: wrote [^\n]*\n)$/.exec(stderr);
    return {
      status,
      ...(fs.existsSync(out) && { text: fs.readFileSync(out, "utf8") }),
      stderr: wrote ? stderr.slice(0, wrote.index + wrote[1]!.length) : stderr,
      ...(wrote && { wrote: wrote[2] }),
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** A bake file without the header compose2bake writes at its top when it writes a file (`"//"` / `#` lines). */
export function withoutHeader(text: string, format: "json" | "hcl"): string {
  if (format === "hcl") return text.replace(/^(#[^\n]*\n)+\n?/, "");
  return text.replace(/^\{\n {2}"\/\/": \[\n(?: {4}[^\n]*\n)*? {2}\],?\n/, "{\n");
}
