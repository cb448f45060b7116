/** compose2bake.toml through the built CLI: lookup, precedence of flags, customizations, errors (exit 2). */
import * as fs from "node:fs";
import * as path from "node:path";
import { fixedEnv, runCli, tempProject } from "../support/run";

const COMPOSE = {
  "compose.yaml":
    "services:\n  web:\n    build: .\n    image: ex/web:${TAG:-latest}\n  api:\n    build:\n      context: ./api\n      additional_contexts:\n        w: service:web\n",
};

const read = (dir: string, file: string): string => fs.readFileSync(path.join(dir, file), "utf8");

describe("compose2bake.toml", () => {
  test("a bare compose2bake writes `output`, and --check compares with it", () => {
    const dir = tempProject({ ...COMPOSE, "compose2bake.toml": 'output = "docker-bake.hcl"\n' });
    expect(runCli([], { cwd: dir })).toEqual({
      status: 0,
      stdout: "",
      stderr: "compose2bake: wrote docker-bake.hcl (2 targets, 1 group)\n",
    });
    expect(read(dir, "docker-bake.hcl")).toContain('target "web" {');
    expect(runCli(["--check"], { cwd: dir })).toEqual({ status: 0, stdout: "", stderr: "" });
    fs.writeFileSync(path.join(dir, "compose.yaml"), COMPOSE["compose.yaml"].replace("ex/web", "ex/web2"));
    const stale = runCli(["--check"], { cwd: dir });
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain("docker-bake.hcl is stale");
  });

  test("renames, target attributes and groups reach the output", () => {
    const dir = tempProject({
      ...COMPOSE,
      "compose2bake.toml": [
        'output = "docker-bake.json"',
        "[rename]",
        'web = "frontend"',
        '[target."*"]',
        'platforms = ["linux/amd64", "linux/arm64"]',
        "[target.frontend]",
        'cache-to = ["type=gha,mode=max"]',
        "[group.ci]",
        'targets = ["frontend", "api"]',
      ].join("\n"),
    });
    expect(runCli([], { cwd: dir })).toEqual({
      status: 0,
      stdout: "",
      stderr: "compose2bake: wrote docker-bake.json (2 targets, 2 groups)\n",
    });
    const out = JSON.parse(read(dir, "docker-bake.json"));
    expect(out.group).toEqual({ ci: { targets: ["frontend", "api"] }, default: { targets: ["api", "frontend"] } });
    expect(Object.keys(out.target)).toEqual(["api", "frontend"]);
    expect(out.target.api.contexts).toEqual({ w: "target:frontend" });
    expect(out.target.api.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    expect(out.target.frontend["cache-to"]).toEqual(["type=gha,mode=max"]);
  });

  test("flags override the file: -o, --format, -o - (stdout), --no-absolute-paths", () => {
    const dir = tempProject({ ...COMPOSE, "compose2bake.toml": 'output = "docker-bake.hcl"\nabsolute_paths = true\n' });
    expect(runCli(["-o", "other.json"], { cwd: dir }).status).toBe(0);
    expect(JSON.parse(read(dir, "other.json")).target.web.context).toBe(dir);
    expect(fs.existsSync(path.join(dir, "docker-bake.hcl"))).toBe(false);
    const stdout = runCli(["-o", "-", "--no-absolute-paths"], { cwd: dir });
    expect(stdout.status).toBe(0);
    expect(JSON.parse(stdout.stdout).target.web.context).toBe(".");
    expect(runCli(["-o", "-", "--format", "hcl"], { cwd: dir }).stdout).toContain('target "web" {');
    expect(fs.existsSync(path.join(dir, "docker-bake.hcl"))).toBe(false);
    const mismatch = runCli(["--format", "json"], { cwd: dir });
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toContain("the format json does not match the output file's extension (docker-bake.hcl)");
  });

  test('variables = "resolve" is the default that --resolve / --no-resolve override', () => {
    const dir = tempProject({ ...COMPOSE, "compose2bake.toml": 'variables = "resolve"\n' });
    const env = fixedEnv({ TAG: "9" });
    expect(JSON.parse(runCli([], { cwd: dir, env }).stdout).target.web.tags).toEqual(["ex/web:9"]);
    const kept = JSON.parse(runCli(["--no-resolve"], { cwd: dir, env }).stdout);
    expect(kept.variable).toEqual({ TAG: { default: "" } });
    fs.writeFileSync(path.join(dir, "compose2bake.toml"), 'variables = "keep"\n');
    expect(JSON.parse(runCli(["--resolve"], { cwd: dir, env }).stdout).target.web.tags).toEqual(["ex/web:9"]);
  });

  test("inputs: files, profiles and services from the file; -f and SERVICE replace them", () => {
    const dir = tempProject({
      "deploy/compose.yaml": "services:\n  a:\n    build: ../a\n  b:\n    build: ../b\n    profiles: [extra]\n",
      "deploy/other.yaml": "services:\n  c:\n    build: ../c\n",
      "compose2bake.toml": 'files = ["deploy/compose.yaml"]\nprofiles = ["extra"]\nproject_name = "shop"\n',
    });
    const out = JSON.parse(runCli([], { cwd: dir }).stdout);
    expect(out.group.default.targets).toEqual(["a", "b"]);
    expect(out.target.a.tags).toEqual(["shop-a"]);
    expect(out.target.a.context).toBe("a");
    const other = JSON.parse(runCli(["-f", "deploy/other.yaml"], { cwd: dir }).stdout);
    expect(Object.keys(other.target)).toEqual(["c"]);
    fs.appendFileSync(path.join(dir, "compose2bake.toml"), 'services = ["a"]\n');
    expect(JSON.parse(runCli([], { cwd: dir }).stdout).group.default.targets).toEqual(["a"]);
    expect(JSON.parse(runCli(["b"], { cwd: dir }).stdout).group.default.targets).toEqual(["b"]);
  });

  test("found in --project-directory; --config names another file; paths are relative to the file", () => {
    const dir = tempProject({
      "app/compose.yaml": "services:\n  web:\n    build: .\n",
      "app/compose2bake.toml": 'output = "bake/docker-bake.json"\n',
      "ci/settings.toml": 'project_directory = "../app"\noutput = "../out.hcl"\n',
    });
    expect(runCli(["--project-directory", "app"], { cwd: dir }).status).toBe(0);
    expect(JSON.parse(read(dir, "app/bake/docker-bake.json")).target.web.context).toBe("..");
    expect(runCli(["--config", "ci/settings.toml"], { cwd: dir }).status).toBe(0);
    expect(read(dir, "out.hcl")).toMatch(/context\s+= "app"/);
    const missing = runCli(["--config", "nope.toml"], { cwd: dir });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(
      `error: open ${path.join(dir, "nope.toml")}: no such file or directory [config-missing]\n`,
    );
  });

  test("errors name compose2bake.toml:LINE:COL, exit 2 and write nothing", () => {
    const dir = tempProject({
      ...COMPOSE,
      "docker-bake.json": "previous\n",
      "compose2bake.toml": 'output = "docker-bake.json"\n\n[target.web]\nplatform = ["linux/amd64"]\ntags = "x"\n',
    });
    const r = runCli([], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^compose2bake\.toml:4:1: error: unknown bake target attribute "platform" in target\.web \(known: .*\) \[config-unknown-key\]$/,
    );
    expect(lines[1]).toBe(
      'compose2bake.toml:5:8: error: target.web.tags must be an array of strings (["..."]), not a string ("x") [config-type]',
    );
    expect(read(dir, "docker-bake.json")).toBe("previous\n");
  });

  test("a syntax error, and a customization naming a missing target", () => {
    const dir = tempProject({ ...COMPOSE, "compose2bake.toml": 'output = "docker-bake.json\n' });
    expect(runCli([], { cwd: dir })).toEqual({
      status: 2,
      stdout: "",
      stderr: "compose2bake.toml:1:27: error: invalid TOML: unterminated string [config-syntax]\n",
    });
    fs.writeFileSync(path.join(dir, "compose2bake.toml"), '[group.ci]\ntargets = ["web", "worker"]\n');
    expect(runCli([], { cwd: dir })).toEqual({
      status: 2,
      stdout: "",
      stderr:
        'compose2bake.toml:2:19: error: group "ci": there is no target or group "worker" (targets: api, web) [config-unknown-target]\n',
    });
  });

  test("--check without any output file is still a usage error", () => {
    const r = runCli(["--check"], { cwd: tempProject(COMPOSE) });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "--check needs the file to compare with: -o/--output FILE, or output in compose2bake.toml",
    );
  });
});
