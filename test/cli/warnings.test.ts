/**
 * Warnings that matter, once each (issue #11 item 5): one test per row of the table that a warning
 * answers, through the built CLI.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fixedEnv, REPO, runCli, tempProject } from "../support/run";
import { noteSkip } from "../support/skips";

const GIT = spawnSync("git", ["--version"]).status === 0;
const withGit = GIT ? test : test.skip;
if (!GIT) noteSkip("the git warnings' tests", "git is not installed");

function git(dir: string, ...args: string[]): void {
  const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd: dir,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
}

/** The warnings printed, without the `wrote …` line that follows every write. */
function warnings(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l !== "" && !l.startsWith("compose2bake: wrote "));
}

const NAMED = "name: demo\nservices:\n  web:\n    build: ./app\n";

/** A project in a fresh git repository, its files committed. */
function gitProject(files: Record<string, string>): string {
  const dir = tempProject(files);
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "project");
  return dir;
}

describe("issue #11 rows", () => {
  withGit(
    "`docker buildx bake` without -f beside compose.yaml: said when the file is created, and in its header",
    () => {
      const dir = gitProject({ "compose.yaml": NAMED });
      const first = runCli(["-o", "docker-bake.hcl"], { cwd: dir });
      expect(warnings(first.stderr)).toEqual([
        "warning: docker buildx bake run without -f in this folder reads compose.yaml too and merges it with docker-bake.hcl (renamed secrets twice, .env values back): always run docker buildx bake -f docker-bake.hcl [bake-reads-compose-file]",
      ]);
      expect(fs.readFileSync(path.join(dir, "docker-bake.hcl"), "utf8")).toContain(
        "#   docker buildx bake -f docker-bake.hcl -f docker-bake.override.hcl\n",
      );
      // Once: later runs (and --check) rely on the header.
      expect(warnings(runCli(["-o", "docker-bake.hcl"], { cwd: dir }).stderr)).toEqual([]);
      expect(runCli(["--check", "-o", "docker-bake.hcl"], { cwd: dir })).toEqual({ status: 0, stdout: "", stderr: "" });
      // A name bake does not read by default, or no Compose file beside it: nothing to say.
      const other = gitProject({ "compose.yaml": NAMED });
      expect(warnings(runCli(["-o", "ci.hcl"], { cwd: other }).stderr)).toEqual([]);
      expect(warnings(runCli(["-o", "out/docker-bake.hcl", "--absolute-paths"], { cwd: other }).stderr)).toEqual([]);
      // Outside a git work tree (a file that is not committed), only the header says it.
      expect(
        warnings(runCli(["-o", "docker-bake.hcl"], { cwd: tempProject({ "compose.yaml": NAMED }) }).stderr),
      ).toEqual([]);
    },
  );

  withGit("-o docker/docker-bake.hcl: the warning and the header say to run bake in docker/", () => {
    const dir = gitProject({ "compose.yaml": NAMED });
    const r = runCli(["-o", "docker/docker-bake.hcl"], { cwd: dir });
    expect(warnings(r.stderr)).toEqual([
      "warning: the paths in docker/docker-bake.hcl are relative to its folder, not to the project folder: run bake there (cd docker && docker buildx bake -f docker-bake.hcl), or write absolute paths with --absolute-paths [bake-working-folder]",
    ]);
    const text = fs.readFileSync(path.join(dir, "docker", "docker-bake.hcl"), "utf8");
    expect(text).toContain("# in this folder, where the relative paths below start from, always with -f\n");
    expect(text).toMatch(/context += "\.\.\/app"/);
  });

  test("hand-added targets: the file says it is generated and where hand-written targets go", () => {
    const dir = tempProject({ "compose.yaml": NAMED });
    runCli(["-o", "docker-bake.json"], { cwd: dir });
    const header = (JSON.parse(fs.readFileSync(path.join(dir, "docker-bake.json"), "utf8")) as { "//": string[] })[
      "//"
    ];
    expect(header.join("\n")).toMatch(
      /Do not edit[^]*hand-written targets and overrides in docker-bake\.override\.hcl/,
    );
  });

  withGit("a git-ignored compose.override.yaml, an untracked env file: a warning naming each local input", () => {
    const dir = tempProject({
      "compose.yaml": NAMED,
      "compose.override.yaml": "services:\n  web:\n    build:\n      target: dev\n",
      ".gitignore": "compose.override.yaml\n",
      ".env": "COMPOSE_PROFILES=debug\n",
    });
    git(dir, "init", "-q");
    git(dir, "add", "compose.yaml", ".gitignore");
    const r = runCli(["-o", "ci.hcl"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(warnings(r.stderr)).toEqual([
      'warning: no service has the profile "debug" (known: none) [unknown-profile]',
      ".env: warning: not tracked by git, but ci.hcl depends on it: a checkout without it (CI's --check, a git worktree) writes another file [input-not-in-git]",
      "compose.override.yaml: warning: ignored by git, but ci.hcl depends on it: a checkout without it (CI's --check, a git worktree) writes another file [input-not-in-git]",
    ]);
    // Tracked inputs, and an .env whose values cannot reach the output (kept variables, no control variable): quiet.
    fs.writeFileSync(path.join(dir, ".env"), "TAG=1\n");
    git(dir, "add", "-f", "compose.override.yaml");
    expect(warnings(runCli(["-o", "ci.hcl"], { cwd: dir }).stderr)).toEqual([]);
    // With --resolve the .env file's values are in the output.
    expect(warnings(runCli(["-o", "ci.hcl", "--resolve"], { cwd: dir }).stderr)).toEqual([
      ".env: warning: not tracked by git, but ci.hcl depends on it: a checkout without it (CI's --check, a git worktree) writes another file [input-not-in-git]",
    ]);
  });

  test("outside a git work tree, git is never run", () => {
    const dir = tempProject({
      "compose.yaml": NAMED,
      "bin/git": '#!/bin/sh\necho called >> "$(dirname "$0")/calls"\nexit 1\n',
    });
    fs.chmodSync(path.join(dir, "bin", "git"), 0o755);
    const env = fixedEnv({ PATH: `${path.join(dir, "bin")}:${process.env.PATH}` });
    expect(runCli(["-o", "ci.hcl"], { cwd: dir, env }).status).toBe(0);
    expect(fs.existsSync(path.join(dir, "bin", "calls"))).toBe(false);
    // The fake git is found and run inside a work tree (so the test above means something).
    fs.mkdirSync(path.join(dir, ".git"));
    expect(runCli(["-o", "ci.hcl"], { cwd: dir, env }).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "bin", "calls"), "utf8")).toBe("called\n");
  });

  withGit("a checkout in a differently named folder: the folder-derived project name and tags are named", () => {
    const dir = tempProject({
      "compose.yaml": "services:\n  web:\n    build: .\n  api:\n    build: .\n    image: ex/api\n",
    });
    // Outside a git work tree there is no checkout to differ: nothing said.
    expect(warnings(runCli(["-o", "ci.hcl"], { cwd: dir }).stderr)).toEqual([]);
    git(dir, "init", "-q");
    git(dir, "add", "compose.yaml");
    const r = runCli(["-o", "ci.hcl"], { cwd: dir });
    const project = path
      .basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, "");
    expect(warnings(r.stderr)).toEqual([
      `compose.yaml: warning: the project name "${project}" comes from the folder's name, and so do the tags of services without image: (${project}-web): a checkout in a folder named otherwise writes another file; set name: in the Compose file or project_name in compose2bake.toml [project-name-from-folder]`,
    ]);
    // Each of the usual fixes silences it.
    expect(warnings(runCli(["-o", "ci.hcl", "-p", "demo"], { cwd: dir }).stderr)).toEqual([]);
    fs.writeFileSync(path.join(dir, "compose2bake.toml"), 'project_name = "demo"\n');
    git(dir, "add", "compose2bake.toml");
    expect(warnings(runCli(["-o", "ci.hcl"], { cwd: dir }).stderr)).toEqual([]);
    fs.rmSync(path.join(dir, "compose2bake.toml"));
    fs.writeFileSync(
      path.join(dir, "compose.yaml"),
      "name: demo\n" + fs.readFileSync(path.join(dir, "compose.yaml"), "utf8"),
    );
    expect(warnings(runCli(["-o", "ci.hcl"], { cwd: dir }).stderr)).toEqual([]);
    // On standard output there is no kept file to depend on it.
    fs.writeFileSync(path.join(dir, "compose.yaml"), "services:\n  web:\n    build: .\n");
    expect(warnings(runCli([], { cwd: dir }).stderr)).toEqual([]);
  });

  test("`--profile nosuch`: a warning", () => {
    const dir = tempProject({ "compose.yaml": NAMED + "  dbg:\n    build: .\n    profiles: [debug]\n" });
    const r = runCli(["--profile", "nosuch"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(warnings(r.stderr)).toEqual([
      'warning: no service has the profile "nosuch" (known: debug) [unknown-profile]',
    ]);
    expect(warnings(runCli(["--profile", "debug"], { cwd: dir }).stderr)).toEqual([]);
  });

  test("an image-only project, or only inactive services: nothing to build, said", () => {
    const imageOnly = tempProject({ "compose.yaml": "services:\n  db:\n    image: postgres:16\n" });
    expect(warnings(runCli([], { cwd: imageOnly }).stderr)).toEqual([
      "compose.yaml: warning: no service has a build: section, so the bake file builds nothing [nothing-to-build]",
    ]);
    const inactive = tempProject({ "compose.yaml": "services:\n  dbg:\n    build: .\n    profiles: [debug]\n" });
    expect(warnings(runCli([], { cwd: inactive }).stderr)).toEqual([
      "compose.yaml: warning: no service with a build: section is active with these profiles, so the default group is empty (docker buildx bake <profile> still builds a profile's services) [nothing-to-build]",
    ]);
  });
});

test("one anchor merged into 20 services: each warning once per source position", () => {
  const services = Array.from({ length: 20 }, (_, i) => `  s${i}:\n    build: *b\n`).join("");
  const dir = tempProject({
    "compose.yaml": `x-b: &b\n  context: .\n  isolation: hyperv\n  secrets: [ext]\nservices:\n${services}secrets:\n  ext:\n    external: true\n`,
  });
  const r = runCli([], { cwd: dir });
  expect(r.status).toBe(0);
  expect(warnings(r.stderr)).toEqual([
    "compose.yaml:3:14: warning: services.s0.build.isolation has no bake equivalent and is ignored (and 19 more like it from this place) [unsupported-isolation]",
    'compose.yaml:4:13: warning: build secret "ext" of service "s0" is external and is skipped, as docker compose does (and 19 more like it from this place) [external-secret-skipped]',
  ]);
});

test("no message names a buildx feature that buildx 0.29 lacks (--var)", () => {
  const sources: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(".ts")) sources.push(p);
    }
  };
  walk(path.join(REPO, "src"));
  const offenders = sources.filter((f) => /--var\b/.test(fs.readFileSync(f, "utf8")));
  expect(offenders).toEqual([]);
});
