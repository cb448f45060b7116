/** CLI tests: spawn the built binary in a temporary project with a fixed environment. */
import * as fs from "node:fs";
import * as path from "node:path";
import { fixedEnv, runCli, tempProject } from "../support/run";

const SIMPLE = {
  "compose.yaml": "services:\n  web:\n    build: .\n    image: example/web:1\n",
};

describe("compose2bake CLI", () => {
  test("prints JSON on stdout by default, nothing on stderr", () => {
    const dir = tempProject(SIMPLE);
    const r = runCli([], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      group: { default: { targets: ["web"] } },
      target: { web: { context: ".", dockerfile: "Dockerfile", tags: ["example/web:1"] } },
    });
  });

  test("--format hcl prints HCL", () => {
    const r = runCli(["--format", "hcl"], { cwd: tempProject(SIMPLE) });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('target "web" {');
  });

  test("-o writes the file atomically and picks the format from the extension", () => {
    const dir = tempProject(SIMPLE);
    const r = runCli(["-o", "out/docker-bake.hcl"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    const text = fs.readFileSync(path.join(dir, "out/docker-bake.hcl"), "utf8");
    expect(text).toContain('target "web" {');
    // paths are relative to the output file's folder
    expect(text).toMatch(/context\s+= "\.\."/);
    expect(fs.readdirSync(path.join(dir, "out"))).toEqual(["docker-bake.hcl"]);
  });

  test("--check: 0 when fresh, 1 with a diff when stale, 1 when missing; never writes", () => {
    const dir = tempProject(SIMPLE);
    expect(runCli(["--check", "-o", "docker-bake.json"], { cwd: dir }).status).toBe(1);
    expect(fs.existsSync(path.join(dir, "docker-bake.json"))).toBe(false);
    expect(runCli(["-o", "docker-bake.json"], { cwd: dir }).status).toBe(0);
    expect(runCli(["--check", "-o", "docker-bake.json"], { cwd: dir })).toEqual({ status: 0, stdout: "", stderr: "" });
    fs.writeFileSync(path.join(dir, "compose.yaml"), SIMPLE["compose.yaml"].replace("example/web:1", "example/web:2"));
    const stale = runCli(["--check", "-o", "docker-bake.json"], { cwd: dir });
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain("is stale");
    expect(stale.stderr).toContain('-        "example/web:1"');
    expect(stale.stderr).toContain('+        "example/web:2"');
    expect(fs.readFileSync(path.join(dir, "docker-bake.json"), "utf8")).toContain("example/web:1");
  });

  test("an error names file:line:col, exits 2, prints no stack and leaves the output untouched", () => {
    const dir = tempProject({ ...SIMPLE, "docker-bake.json": "previous\n" });
    fs.writeFileSync(
      path.join(dir, "compose.yaml"),
      "services:\n  web:\n    build:\n      context: .\n      secrets: [nope]\n",
    );
    const r = runCli(["-o", "docker-bake.json"], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'compose.yaml:5:17: error: service "web" refers to undefined build secret nope [undefined-secret]\n',
    );
    expect(fs.readFileSync(path.join(dir, "docker-bake.json"), "utf8")).toBe("previous\n");
  });

  test("malformed YAML reports its line", () => {
    const dir = tempProject({ "compose.yaml": "services:\n  web:\n    build: [\n" });
    const r = runCli([], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^compose\.yaml:\d+:\d+: error: failed to parse/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test("unknown flags are usage errors (exit 2)", () => {
    const r = runCli(["--nope"], { cwd: tempProject(SIMPLE) });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown argument");
  });

  test("--check without -o is a usage error", () => {
    expect(runCli(["--check"], { cwd: tempProject(SIMPLE) }).status).toBe(2);
  });

  test("--help lists examples; --version prints the version", () => {
    const help = runCli(["--help"], { cwd: tempProject(SIMPLE) });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--check");
    expect(help.stdout).toContain("Examples:");
    const version = runCli(["--version"], { cwd: tempProject(SIMPLE) });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  // yargs translates its own words (headings, "[Standard: []]", "Argument inconnu") by the machine's locale, which
  // gave half-German help around our English text and error messages that differ from machine to machine.
  test.each([["--help"], ["--nope"], ["--format", "yaml"]])("%s reads the same in any locale", (...args) => {
    const cwd = tempProject(SIMPLE);
    const plain = runCli(args, { cwd });
    expect(plain.stdout + plain.stderr).not.toBe("");
    const locales: Array<Record<string, string>> = [
      { LANG: "de_DE.UTF-8" },
      { LC_ALL: "fr_FR.UTF-8" },
      { LANGUAGE: "ja", LC_MESSAGES: "ja_JP" },
    ];
    for (const locale of locales) {
      expect(runCli(args, { cwd, env: fixedEnv(locale) })).toEqual(plain);
    }
  });

  test("positional SERVICE narrows the default group and enables its profiles", () => {
    const dir = tempProject({
      "compose.yaml":
        "services:\n  a:\n    build: ./a\n  b:\n    build:\n      context: ./b\n      additional_contexts: {base: 'service:c'}\n    profiles: [p]\n  c:\n    build: ./c\n    profiles: [p]\n",
    });
    const r = runCli(["b"], { cwd: dir });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.group.default.targets).toEqual(["b", "c"]);
    expect(out.group.p.targets).toEqual(["b", "c"]);
  });

  test("a secret's value never appears in output or messages", () => {
    const dir = tempProject({
      "compose.yaml":
        "services:\n  web:\n    build:\n      context: .\n      secrets: [tok, {source: f, target: ff, mode: 0400}]\nsecrets:\n  tok:\n    environment: TOKEN\n  f:\n    file: ./f.txt\n",
      "f.txt": "FILE-SECRET-VALUE-123\n",
      ".env": "TOKEN=ENV-SECRET-VALUE-456\n",
    });
    for (const args of [[], ["--format", "hcl"]]) {
      const r = runCli(args, { cwd: dir, env: fixedEnv({ OTHER: "x" }) });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("id=tok,env=TOKEN");
      expect(r.stdout).toContain("id=ff,src=f.txt");
      for (const text of [r.stdout, r.stderr]) {
        expect(text).not.toContain("ENV-SECRET-VALUE-456");
        expect(text).not.toContain("FILE-SECRET-VALUE-123");
      }
      expect(r.stderr).toContain("export TOKEN");
    }
  });
});
