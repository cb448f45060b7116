/**
 * The pre-commit hooks of .pre-commit-hooks.yaml, end to end, with real `git commit`s in a throwaway repository.
 *
 * The hook source is a throwaway git repository holding this checkout's .pre-commit-hooks.yaml, committed, so
 * the test reads the manifest as it is in the working tree whether or not it is committed here (pre-commit
 * clones a hook repository at a `rev`; `pre-commit try-repo` would only see tracked files, and runs
 * `pre-commit run` rather than a commit). The project repository gets compose2bake the way a project with
 * compose2bake in its devDependencies has it: node_modules/compose2bake linked to this checkout.
 *
 * Default: the `compose2bake-system` hook (language: system, `npx --no-install compose2bake`): no install
 * step, no network. C2B_TEST_PRECOMMIT_NODE=1 also runs the `compose2bake` hook (language: node), for which
 * pre-commit runs `npm install` and `npm pack` in a clone of this checkout and installs the tarball (a few
 * minutes, and the npm registry or a warm npm cache; package.json needs its `prepare` build).
 * Without `pre-commit` on PATH every test is skipped with a message (Debian: `apt-get install pre-commit`).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BIN, REPO } from "../support/run";

const PRE_COMMIT = findOnPath("pre-commit");
const GIT = findOnPath("git");
const NODE_HOOK = process.env.C2B_TEST_PRECOMMIT_NODE === "1";

if (!PRE_COMMIT || !GIT) {
  console.warn(
    `${!PRE_COMMIT ? "pre-commit" : "git"} is not installed: skipping the pre-commit hook tests (test/precommit)`,
  );
} else if (!NODE_HOOK) {
  console.warn(
    "the language: node pre-commit hook is tested only with C2B_TEST_PRECOMMIT_NODE=1 (it installs from npm)",
  );
}
const withTools = PRE_COMMIT && GIT ? test : test.skip;
const withNodeHook = PRE_COMMIT && GIT && NODE_HOOK ? test : test.skip;

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

const tmp = (): string => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-precommit-")));

/**
 * A closed environment: own HOME (no global git config or hooks), own pre-commit cache, no prompts, and
 * compose2bake's own node first on PATH.
 */
function isolatedEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: [path.dirname(process.execPath), process.env.PATH ?? "/usr/bin:/bin"].join(path.delimiter),
    HOME: home,
    PRE_COMMIT_HOME: path.join(home, "pre-commit-cache"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    LANG: "C.UTF-8",
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    ...extra,
  };
}

function sh(cmd: string, args: string[], cwd: string, env: Record<string, string>) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function ok(cmd: string, args: string[], cwd: string, env: Record<string, string>): string {
  const r = sh(cmd, args, cwd, env);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}) in ${cwd}:\n${r.output}`);
  return r.output;
}

function gitInit(dir: string, env: Record<string, string>): void {
  ok("git", ["init", "-q", "-b", "main"], dir, env);
  ok("git", ["config", "user.email", "test@example.invalid"], dir, env);
  ok("git", ["config", "user.name", "compose2bake test"], dir, env);
  ok("git", ["config", "commit.gpgsign", "false"], dir, env);
}

/** A git repository whose HEAD holds `files` (relative path → content, or a path to copy); returns its rev. */
function hookSource(
  dir: string,
  files: Record<string, { copy: string } | string>,
  env: Record<string, string>,
): string {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    if (typeof content === "string") fs.writeFileSync(path.join(dir, rel), content);
    else fs.copyFileSync(content.copy, path.join(dir, rel));
  }
  gitInit(dir, env);
  ok("git", ["add", "-A"], dir, env);
  ok("git", ["commit", "-q", "-m", "hooks"], dir, env);
  return ok("git", ["rev-parse", "HEAD"], dir, env).trim();
}

const COMPOSE = "services:\n  web:\n    build: .\n    image: example/web:1\n";

/**
 * The scenario of README "pre-commit", each step a row of issue #11: the first commit of a project whose bake
 * file does not exist yet fails ("created docker-bake.hcl: review and `git add` it") and leaves the file to add;
 * added, the commit passes (up to date). compose.yaml changes without regenerating: the hook rewrites
 * docker-bake.hcl and fails the commit ("updated …"); `git add` it, and the commit passes. A commit touching no
 * Compose file does not run the hook.
 */
function commitScenario(project: string, hookId: string, env: Record<string, string>): void {
  ok("pre-commit", ["install"], project, env);

  // First commit, no bake file yet: the hook creates it and fails, so the commit cannot go in without it.
  ok("git", ["add", "-A"], project, env);
  const created = sh("git", ["commit", "-m", "first"], project, env);
  expect(created.output).toMatch(/compose2bake\.+Failed/);
  expect(created.output).toContain("created docker-bake.hcl: review and `git add` it");
  expect(created.status).not.toBe(0);
  expect(sh("git", ["rev-parse", "--verify", "-q", "HEAD"], project, env).status).not.toBe(0);
  expect(fs.readFileSync(path.join(project, "docker-bake.hcl"), "utf8")).toContain('"example/web:1"');

  // Added: up to date, the commit passes.
  ok("git", ["add", "docker-bake.hcl"], project, env);
  const first = sh("git", ["commit", "-m", "first"], project, env);
  expect(first.output).toMatch(/compose2bake\.+Passed/);
  expect(first.status).toBe(0);

  // compose.yaml changes, docker-bake.hcl is not regenerated: the hook regenerates it and fails the commit.
  fs.writeFileSync(path.join(project, "compose.yaml"), COMPOSE.replace("example/web:1", "example/web:2"));
  ok("git", ["add", "compose.yaml"], project, env);
  const stale = sh("git", ["commit", "-m", "second"], project, env);
  expect(stale.output).toMatch(/compose2bake\.+Failed/);
  expect(stale.output).toContain(`- hook id: ${hookId}`);
  expect(stale.output).toContain("updated docker-bake.hcl: review and `git add` it");
  expect(stale.output).toContain("- files were modified by this hook");
  expect(stale.status).not.toBe(0);
  expect(ok("git", ["rev-list", "--count", "HEAD"], project, env).trim()).toBe("1");
  expect(fs.readFileSync(path.join(project, "docker-bake.hcl"), "utf8")).toContain('"example/web:2"');

  // The regenerated file is added: the commit passes and holds it.
  ok("git", ["add", "docker-bake.hcl"], project, env);
  const fixed = sh("git", ["commit", "-m", "second"], project, env);
  expect(fixed.output).toMatch(/compose2bake\.+Passed/);
  expect(fixed.status).toBe(0);
  expect(ok("git", ["show", "HEAD:docker-bake.hcl"], project, env)).toContain('"example/web:2"');
  expect(sh(process.execPath, [BIN, "--check"], project, env).status).toBe(0);

  // No Compose file, env file or compose2bake.toml in the commit: the hook is skipped.
  fs.writeFileSync(path.join(project, "README.md"), "hello\n");
  ok("git", ["add", "README.md"], project, env);
  const unrelated = sh("git", ["commit", "-m", "readme"], project, env);
  expect(unrelated.output).toMatch(/compose2bake\.+\(no files to check\)Skipped/);
  expect(unrelated.status).toBe(0);
}

/** A project repository using `hookId` from the hook repository at `rev`; `toml` is its compose2bake.toml. */
function project(
  hookRepo: string,
  rev: string,
  hookId: string,
  env: Record<string, string>,
  toml = 'output = "docker-bake.hcl"\n',
): string {
  const dir = tmp();
  gitInit(dir, env);
  fs.writeFileSync(path.join(dir, "compose.yaml"), COMPOSE);
  fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
  fs.writeFileSync(path.join(dir, "compose2bake.toml"), toml);
  fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules/\n");
  fs.writeFileSync(
    path.join(dir, ".pre-commit-config.yaml"),
    `repos:\n  - repo: ${JSON.stringify(hookRepo)}\n    rev: ${rev}\n    hooks:\n      - id: ${hookId}\n`,
  );
  return dir;
}

/** A project using the `compose2bake-system` hook, with compose2bake linked in as a devDependency installs it. */
function systemHookProject(toml?: string): { dir: string; env: Record<string, string> } {
  const home = tmp();
  const env = isolatedEnv(home, { npm_config_offline: "true" });
  const hooks = tmp();
  const rev = hookSource(hooks, { ".pre-commit-hooks.yaml": { copy: path.join(REPO, ".pre-commit-hooks.yaml") } }, env);
  const dir = project(hooks, rev, "compose2bake-system", env, toml);
  fs.mkdirSync(path.join(dir, "node_modules", ".bin"), { recursive: true });
  fs.symlinkSync(REPO, path.join(dir, "node_modules", "compose2bake"));
  fs.symlinkSync("../compose2bake/bin/compose2bake.js", path.join(dir, "node_modules", ".bin", "compose2bake"));
  return { dir, env };
}

describe("pre-commit hooks (.pre-commit-hooks.yaml)", () => {
  withTools(
    "compose2bake-system: created or stale fails the commit, up to date passes (offline)",
    () => {
      const { dir, env } = systemHookProject();
      commitScenario(dir, "compose2bake-system", env);
    },
    120_000,
  );

  // Was: "Passed", nothing written, the JSON in the hook's log.
  withTools(
    "compose2bake-system with no output file configured fails and says how to configure one",
    () => {
      const { dir, env } = systemHookProject("");
      ok("pre-commit", ["install"], dir, env);
      ok("git", ["add", "-A"], dir, env);
      const r = sh("git", ["commit", "-m", "first"], dir, env);
      expect(r.output).toMatch(/compose2bake\.+Failed/);
      expect(r.output).toContain("- exit code: 2");
      expect(r.output).toContain(
        "compose2bake: error: no output file: set `output` in compose2bake.toml or `args: [-o, docker-bake.hcl]`",
      );
      expect(r.output).not.toContain('"target"');
      expect(r.status).not.toBe(0);
      expect(sh("git", ["rev-parse", "--verify", "-q", "HEAD"], dir, env).status).not.toBe(0);
    },
    120_000,
  );

  withNodeHook(
    "compose2bake (language: node, installed by pre-commit from a clone of this checkout)",
    () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
        scripts?: Record<string, string>;
      };
      expect(pkg.scripts?.prepare).toBeDefined(); // without it the clone has no dist/ and the hook cannot start
      const home = tmp();
      // The user's npm cache, used without revalidation: the registry is asked only for what it lacks.
      const env = isolatedEnv(home, {
        npm_config_cache: path.join(os.homedir(), ".npm"),
        npm_config_prefer_offline: "true",
      });
      // This checkout as a fresh clone would see it: tracked and new files, without node_modules or dist.
      const listed = ok("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO, env)
        .split("\0")
        .filter((f) => f !== "" && fs.lstatSync(path.join(REPO, f), { throwIfNoEntry: false })?.isFile());
      const hooks = tmp();
      const rev = hookSource(hooks, Object.fromEntries(listed.map((f) => [f, { copy: path.join(REPO, f) }])), env);
      commitScenario(project(hooks, rev, "compose2bake", env), "compose2bake", env);
    },
    900_000,
  );
});
