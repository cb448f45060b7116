/**
 * Warnings about the run as a whole (issue #11 item 5): it builds nothing, or names an unknown profile; and, for
 * an output file in a git work tree (a file that is committed), each way it silently goes wrong: it depends on a
 * file git does not have or on the checkout's folder name, or bake reads it in a way that changes it (merged with
 * a Compose file beside it, run from another folder).
 */
import * as path from "./platform/path";
import type { BakeFile } from "./bake/model";
import type { ComposeProject } from "./compose/model";
import { SourceFile, type DiagnosticBag } from "./diagnostics";
import { relativePath } from "./regenerate";
import { exists, isFile as isFileIn, type FileSystem } from "./platform/file-system";

export interface RunFacts {
  readonly fs: FileSystem;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly project: ComposeProject;
  readonly bake: BakeFile;
  readonly outputFile?: string;
  readonly absolutePaths: boolean;
  readonly variables: "keep" | "resolve";
  /** `-p` or compose2bake.toml's project_name. */
  readonly projectName?: string;
  /** Env files named by `--env-file` or the toml, as given. */
  readonly envFiles?: readonly string[];
  readonly configFile?: string;
}

/** The files `docker buildx bake` reads when run without `-f` (buildx 0.29.1, `bake.defaultFilenames`). */
const BAKE_DEFAULT_BAKE_FILES = [
  "docker-bake.json",
  "docker-bake.hcl",
  "docker-bake.override.json",
  "docker-bake.override.hcl",
];
const BAKE_DEFAULT_COMPOSE_FILES = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];
/** Env-file variables that change the output even when `${VAR}` stays a bake variable. */
const CONTROL_VARIABLES = [
  "COMPOSE_FILE",
  "COMPOSE_PROFILES",
  "COMPOSE_PROJECT_NAME",
  "COMPOSE_PATH_SEPARATOR",
  "DOCKER_DEFAULT_PLATFORM",
];

export function runWarnings(facts: RunFacts, diagnostics: DiagnosticBag): void {
  const { project, bake } = facts;
  const firstFile = project.files.find((f) => f !== "-");
  const at = (file: string | undefined) => (file ? { file: new SourceFile(file, "") } : undefined);

  // Nothing built; an unknown profile.
  const targets = Object.keys(bake.target);
  if (targets.length === 0) {
    diagnostics.warn(
      "nothing-to-build",
      "no service has a build: section, so the bake file builds nothing",
      at(firstFile),
    );
  } else if ((bake.group.default?.targets.length ?? 0) === 0) {
    diagnostics.warn(
      "nothing-to-build",
      "no service with a build: section is active with these profiles, so the default group is empty (docker buildx bake <profile> still builds a profile's services)",
      at(firstFile),
    );
  }
  const known = new Set(Object.values(project.services).flatMap((s) => s.profiles));
  for (const profile of project.activeProfiles) {
    if (profile !== "*" && !known.has(profile)) {
      diagnostics.warn(
        "unknown-profile",
        `no service has the profile "${profile}" (known: ${[...known].sort().join(", ") || "none"})`,
      );
    }
  }

  // The rest is about a file that is kept and committed, not one printed to standard output: said only when the
  // project is in a git work tree (looked for with a few stats; git itself runs only for the inputs below).
  if (facts.outputFile === undefined) return;
  const root = workTreeRoot(facts.fs, project.workingDir);
  if (root === undefined) return;

  const output = path.resolve(facts.cwd, facts.outputFile);
  const outDir = path.dirname(output);
  const name = path.basename(output);
  const shownDir = relativePath(facts.cwd, outDir);

  // How to run bake: said when the file is first generated, and from then on by its header, so that a
  // setup chosen on purpose does not warn on every run.
  const firstTime = !exists(facts.fs, output);

  // bake without -f merges a Compose file found beside a default-named bake file.
  const beside =
    firstTime && BAKE_DEFAULT_BAKE_FILES.includes(name)
      ? BAKE_DEFAULT_COMPOSE_FILES.find((f) => isFileIn(facts.fs, path.join(outDir, f)))
      : undefined;
  if (beside !== undefined) {
    diagnostics.warn(
      "bake-reads-compose-file",
      `docker buildx bake run without -f in ${shownDir === "." ? "this folder" : shownDir} reads ${beside} too and merges it with ${name} (renamed secrets twice, .env values back): always run docker buildx bake -f ${name}`,
    );
  }

  // Relative paths are resolved by bake from the folder it runs in, and written relative to the output's folder.
  if (
    firstTime &&
    !facts.absolutePaths &&
    outDir !== project.workingDir &&
    Object.values(bake.target).some((t) => t.context !== undefined)
  ) {
    diagnostics.warn(
      "bake-working-folder",
      `the paths in ${relativePath(facts.cwd, output)} are relative to its folder, not to the project folder: run bake there (cd ${shownDir} && docker buildx bake -f ${name}), or write absolute paths with --absolute-paths`,
    );
  }

  // The project name, and the default tags made of it, from the folder's name: a checkout
  // in another folder (CI, a `git worktree`) writes other tags.
  const untagged = Object.values(project.services).filter((s) => s.build && !s.image);
  if (untagged.length > 0 && nameFromFolder(facts)) {
    const examples = untagged.slice(0, 2).map((s) => `${project.name}-${s.name}`);
    diagnostics.warn(
      "project-name-from-folder",
      `the project name "${project.name}" comes from the folder's name, and so do the tags of services without image: (${examples.join(", ")}${untagged.length > 2 ? ", …" : ""}): a checkout in a folder named otherwise writes another file; set name: in the Compose file or project_name in compose2bake.toml`,
      at(firstFile),
    );
  }

  // Inputs git does not have: the committed file depends on them, so another checkout (CI, a worktree) differs.
  const inputs = [
    ...project.files.filter((f) => f !== "-"),
    ...(facts.configFile ? [facts.configFile] : []),
    ...envFilesThatMatter(facts),
  ];
  for (const { file, state } of gitStates(facts.fs, root, inputs, facts.env)) {
    diagnostics.warn(
      "input-not-in-git",
      `${state === "ignored" ? "ignored by git" : "not tracked by git"}, but ${name} depends on it: a checkout without it (CI's --check, a git worktree) writes another file`,
      at(file),
    );
  }
}

function nameFromFolder(facts: RunFacts): boolean {
  const { project } = facts;
  return (
    (facts.projectName === undefined || facts.projectName === "") &&
    !facts.env.COMPOSE_PROJECT_NAME &&
    !project.envFileVariables.has("COMPOSE_PROJECT_NAME") &&
    project.positions.get("name") === undefined
  );
}

/** The env files read, when their values reach the output (always with --resolve; else through control variables). */
function envFilesThatMatter(facts: RunFacts): string[] {
  const { project } = facts;
  const matters = facts.variables === "resolve" || CONTROL_VARIABLES.some((v) => project.envFileVariables.has(v));
  if (!matters) return [];
  const given = (facts.envFiles ?? []).map((f) => path.resolve(facts.cwd, f));
  const files = given.length > 0 ? given : [path.join(project.workingDir, ".env")];
  return files.filter((f) => isFileIn(facts.fs, f));
}

interface GitState {
  readonly file: string;
  readonly state: "ignored" | "untracked";
}

/**
 * Which of `files` git ignores or does not track, in the work tree at `root` (see workTreeRoot: a `.git` entry is
 * looked for first, so runs outside a work tree pay a few `stat`s and start no git). A missing or failing git
 * says nothing.
 */
export function gitStates(
  fs: FileSystem,
  root: string,
  files: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): GitState[] {
  if (files.length === 0 || !fs.git) return [];
  const git = fs.git.bind(fs);
  const inside = files.filter((f) => !path.relative(root, f).startsWith(".."));
  if (inside.length === 0) return [];
  const rel = inside.map((f) => path.relative(root, f).split(path.sep).join("/"));
  // `ls-files` reads the index only (cheaper than `status`, which looks at the work tree); `check-ignore` runs
  // only when an input is not tracked, to say why.
  const tracked = git(root, ["ls-files", "-z", "--", ...rel.map((p) => `:(literal)${p}`)], env, [0]);
  if (tracked === undefined) return [];
  const trackedSet = new Set(tracked.split("\0"));
  const missing = rel.filter((p) => !trackedSet.has(p));
  if (missing.length === 0) return [];
  const ignored = new Set(
    (git(root, ["check-ignore", "-z", "--stdin"], env, [0, 1], missing.join("\0") + "\0") ?? "").split("\0"),
  );
  return missing.map((p) => ({ file: inside[rel.indexOf(p)]!, state: ignored.has(p) ? "ignored" : "untracked" }));
}

/** The nearest folder at or above `folder` holding a `.git` entry (a folder, or a file in a linked worktree). */
export function workTreeRoot(fs: FileSystem, folder: string): string | undefined {
  for (let dir = folder; ;) {
    if (exists(fs, path.join(dir, ".git"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
