/**
 * The output side of the CLI (issues #11 and #12): `--check` reads only a regular file inside the project, with
 * a size limit and a bounded diff; the output never replaces an input of the run and never lands outside the
 * project because of a committed compose2bake.toml or symlink; the temporary file cannot be redirected and does
 * not outlive a signal; a replaced file keeps its mode and owner; stdout and stderr failures exit cleanly;
 * `wrote …`, `-q` and `--fail-on-change`. CLI tests spawn the built binary.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { compose2bake } from "../../src/index";
import { BIN, fixedEnv, runCli, tempProject, type CliResult } from "../support/run";

const SIMPLE = { "compose.yaml": "services:\n  web:\n    build: .\n" };
const WROTE_WEB = (name: string): string => `compose2bake: wrote ${name} (1 target, 1 group)\n`;

/** Exit 2 with one `compose2bake: error: …` line matching `message`, nothing on stdout. */
function expectRefused(r: CliResult, message: RegExp | string): void {
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: expect.any(String) });
  expect(r.stdout).toBe("");
  expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  if (typeof message === "string") expect(r.stderr).toBe(`compose2bake: error: ${message}\n`);
  else expect(r.stderr).toMatch(message);
}

const listing = (dir: string): string[] => fs.readdirSync(dir).sort();

describe("--check reads only a regular file inside the project (issue #12)", () => {
  const env = fixedEnv({ GITHUB_TOKEN: "ghp_SECRET_TOKEN_VALUE" });

  // Was: the diff printed the CI environment (tokens) on stderr, exit 1.
  test("a committed symlink to /proc/self/environ: exit 2, nothing of it shown", () => {
    const dir = tempProject(SIMPLE);
    fs.symlinkSync("/proc/self/environ", path.join(dir, "docker-bake.json"));
    const r = runCli(["--check", "-o", "docker-bake.json"], { cwd: dir, env });
    expectRefused(
      r,
      /^compose2bake: error: refusing to read docker-bake\.json \(it resolves to \/proc\/.*\): it leads outside the project folder /,
    );
    expect(r.stderr).not.toContain("SECRET");
  });

  test('compose2bake.toml `output = "/proc/self/environ"`: exit 2, nothing of it shown', () => {
    const dir = tempProject({ ...SIMPLE, "compose2bake.toml": 'output = "/proc/self/environ"\nformat = "json"\n' });
    const r = runCli(["--check"], { cwd: dir, env });
    expectRefused(
      r,
      /^compose2bake: error: refusing to read \/proc\/self\/environ \(it resolves to \/proc\/\d+\/environ\): the output named in compose2bake\.toml must be inside the project folder /,
    );
    expect(r.stderr).not.toContain("SECRET");
  });

  // Was: read until memory ran out (16.8 GB), then SIGABRT.
  test("a committed symlink to /dev/zero, or toml `output` naming it: exit 2 at once", () => {
    const dir = tempProject(SIMPLE);
    fs.symlinkSync("/dev/zero", path.join(dir, "docker-bake.json"));
    expectRefused(
      runCli(["--check", "-o", "docker-bake.json"], { cwd: dir }),
      /^compose2bake: error: refusing to read docker-bake\.json \(it resolves to \/dev\/zero\)/,
    );
    fs.writeFileSync(path.join(dir, "compose2bake.toml"), 'output = "/dev/zero"\nformat = "json"\n');
    expectRefused(
      runCli(["--check"], { cwd: dir }),
      /^compose2bake: error: refusing to read \/dev\/zero: the output named in compose2bake\.toml/,
    );
  });

  // `-o` outside the project stays free, but --check still reads regular files only.
  test("--check -o /dev/zero given on the command line: not a regular file, exit 2", () => {
    const dir = tempProject(SIMPLE);
    expectRefused(
      runCli(["--check", "-o", "/dev/zero", "--format", "json"], { cwd: dir }),
      "cannot read /dev/zero: not a regular file",
    );
  });

  // Was: blocked for ever, waiting for a writer.
  test("a FIFO in the project: exit 2, does not block", () => {
    const dir = tempProject(SIMPLE);
    if (spawnSync("mkfifo", [path.join(dir, "docker-bake.json")]).status !== 0)
      return console.warn("no mkfifo: skipped");
    expectRefused(
      runCli(["--check", "-o", "docker-bake.json"], { cwd: dir }),
      `cannot read ${dir}/docker-bake.json: not a regular file`,
    );
  });

  test("a committed file larger than the limit is stale, without being read or shown", () => {
    const dir = tempProject(SIMPLE);
    const big = path.join(dir, "docker-bake.json");
    fs.writeFileSync(big, "");
    fs.truncateSync(big, 17 * 1024 * 1024);
    const r = runCli(["--check", "-o", "docker-bake.json"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "compose2bake: docker-bake.json is stale; run `compose2bake -o docker-bake.json` to update it\ncompose2bake: stale (diff too large to show)\n",
    );
  });

  // Was: 45–50 s of diffing (quadratic), then a diff of the whole file.
  test("16,000 lines against 16,000 different lines: stale (diff too large to show), quickly", () => {
    const services = Array.from(
      { length: 2_000 },
      (_, i) => `  s${i}:\n    build:\n      context: ./s${i}\n      args: {N: "${i}"}`,
    );
    const dir = tempProject({ "compose.yaml": `services:\n${services.join("\n")}\n` });
    fs.writeFileSync(
      path.join(dir, "docker-bake.json"),
      Array.from({ length: 16_000 }, (_, i) => `unrelated line ${i}\n`).join(""),
    );
    const r = runCli(["--check", "-o", "docker-bake.json"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "compose2bake: docker-bake.json is stale; run `compose2bake -o docker-bake.json` to update it\ncompose2bake: stale (diff too large to show)\n",
    );
  }, 30_000);

  test("a small change still shows its diff", () => {
    const dir = tempProject(SIMPLE);
    expect(runCli(["-o", "docker-bake.json"], { cwd: dir }).status).toBe(0);
    fs.writeFileSync(path.join(dir, "compose.yaml"), "services:\n  web:\n    build: ./other\n");
    const r = runCli(["--check", "-o", "docker-bake.json"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('-      "context": ".",\n+      "context": "other",');
  });

  test("only line endings differ: it says so (issue #11)", () => {
    const dir = tempProject(SIMPLE);
    expect(runCli(["-o", "docker-bake.json"], { cwd: dir }).status).toBe(0);
    const file = path.join(dir, "docker-bake.json");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/\n/g, "\r\n"));
    const r = runCli(["--check", "-o", "docker-bake.json"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "compose2bake: docker-bake.json is stale; run `compose2bake -o docker-bake.json` to update it\n" +
        "compose2bake: only the line endings differ: docker-bake.json has CRLF, compose2bake writes LF (check git's core.autocrlf or .gitattributes)\n",
    );
  });
});

describe("an output from compose2bake.toml or through a committed symlink stays inside the project (issue #12)", () => {
  /** A project folder inside a scratch folder that also holds a victim file beside it. */
  function withVictim(files: Record<string, string>): { dir: string; victim: string } {
    const outer = tempProject({ "victim.json": "victim\n" });
    const dir = path.join(outer, "project");
    fs.mkdirSync(dir);
    for (const [rel, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), content);
    return { dir, victim: path.join(outer, "victim.json") };
  }

  // Was: a bare compose2bake replaced ../victim.json.
  test('toml `output = "../victim.json"`: exit 2, nothing written', () => {
    const { dir, victim } = withVictim({ ...SIMPLE, "compose2bake.toml": 'output = "../victim.json"\n' });
    expectRefused(
      runCli([], { cwd: dir }),
      `refusing to write ${victim}: the output named in compose2bake.toml must be inside the project folder ${dir}`,
    );
    expect(fs.readFileSync(victim, "utf8")).toBe("victim\n");
    expect(listing(path.dirname(victim))).toEqual(["project", "victim.json"]);
  });

  test("a committed symlink leading out, named by toml `output` or by -o: exit 2, nothing written", () => {
    const { dir, victim } = withVictim({ ...SIMPLE, "compose2bake.toml": 'output = "docker-bake.json"\n' });
    fs.symlinkSync("../victim.json", path.join(dir, "docker-bake.json"));
    expectRefused(
      runCli([], { cwd: dir }),
      /^compose2bake: error: refusing to write docker-bake\.json \(it resolves to .*\/victim\.json\): the output named in compose2bake\.toml/,
    );
    expectRefused(
      runCli(["-o", "docker-bake.json"], { cwd: dir }),
      /^compose2bake: error: refusing to write docker-bake\.json \(it resolves to .*\/victim\.json\): it leads outside the project folder/,
    );
    // A dangling one too: it would create the file it names.
    fs.symlinkSync("../new.json", path.join(dir, "dangling.json"));
    expectRefused(
      runCli(["-o", "dangling.json"], { cwd: dir }),
      /^compose2bake: error: refusing to write dangling\.json \(it resolves to .*\/new\.json\): it leads outside/,
    );
    expect(fs.existsSync(path.join(path.dirname(dir), "new.json"))).toBe(false);
    // A symlinked folder on the way counts too.
    fs.symlinkSync("..", path.join(dir, "up"));
    expectRefused(
      runCli(["-o", "up/victim.json"], { cwd: dir }),
      /^compose2bake: error: refusing to write up\/victim\.json \(it resolves to .*\/victim\.json\)/,
    );
    expect(fs.readFileSync(victim, "utf8")).toBe("victim\n");
  });

  test("-o outside the project given on the command line stays free; so does a toml output inside it", () => {
    const { dir, victim } = withVictim({ ...SIMPLE, "compose2bake.toml": 'output = "out/docker-bake.json"\n' });
    expect(runCli(["-o", "../victim.json"], { cwd: dir })).toEqual({
      status: 0,
      stdout: "",
      stderr: WROTE_WEB(victim),
    });
    expect(JSON.parse(fs.readFileSync(victim, "utf8")).target.web.context).toBe("project");
    expect(runCli([], { cwd: dir })).toEqual({ status: 0, stdout: "", stderr: WROTE_WEB("out/docker-bake.json") });
  });

  test("--project-directory is the project folder: its toml may not write beside it", () => {
    const { dir, victim } = withVictim({ ...SIMPLE, "compose2bake.toml": 'output = "../victim.json"\n' });
    const r = runCli(["--project-directory", "project"], { cwd: path.dirname(dir) });
    expectRefused(
      r,
      `refusing to write victim.json: the output named in project/compose2bake.toml must be inside the project folder ${dir}`,
    );
    expect(fs.readFileSync(victim, "utf8")).toBe("victim\n");
  });
});

describe("never write over an input of the run (issue #11)", () => {
  const INPUTS = {
    "compose.yaml": [
      "include:",
      "  - inc/compose.yaml",
      "services:",
      "  web:",
      "    extends: {file: base.yaml, service: base}",
      "    build:",
      "      context: .",
      "      dockerfile: web.Dockerfile",
      "      secrets: [token]",
      "      ssh: [key=./id_key]",
      "secrets:",
      "  token:",
      "    file: ./token.txt",
      "",
    ].join("\n"),
    "base.yaml": "services:\n  base:\n    image: base\n",
    "inc/compose.yaml": "services:\n  api:\n    build: .\n",
    "inc/.env": "INC=1\n",
    ".env": "A=1\n",
    "ci.env": "B=1\n",
    "web.Dockerfile": "FROM scratch\n",
    "inc/Dockerfile": "FROM scratch\n",
    "token.txt": "t\n",
    id_key: "k\n",
    "compose2bake.toml": 'variables = "keep"\n',
  };

  test("the library reports every input, as real paths", () => {
    const dir = tempProject(INPUTS);
    fs.symlinkSync("compose.yaml", path.join(dir, "link.yaml"));
    const result = compose2bake({
      cwd: dir,
      env: fixedEnv(),
      files: ["link.yaml"],
      envFiles: [".env", "ci.env"],
      config: { file: path.join(dir, "compose2bake.toml") },
    });
    expect(result.inputs).toEqual(
      [
        ".env",
        "base.yaml",
        "ci.env",
        "compose.yaml",
        "compose2bake.toml",
        "id_key",
        "inc/.env",
        "inc/Dockerfile",
        "inc/compose.yaml",
        "token.txt",
        "web.Dockerfile",
      ]
        .map((f) => path.join(dir, f))
        .sort(),
    );
  });

  // Was: the input replaced by bake JSON, exit 0.
  test.each([
    ["compose.yaml"],
    ["inc/compose.yaml"],
    ["base.yaml"],
    [".env"],
    ["inc/.env"],
    ["compose2bake.toml"],
    ["token.txt"],
    ["id_key"],
    ["web.Dockerfile"],
    ["inc/Dockerfile"],
  ])("-o %s --format json: exit 2, nothing written", (name) => {
    const dir = tempProject(INPUTS);
    const before = fs.readFileSync(path.join(dir, name), "utf8");
    expectRefused(
      runCli(["-o", name, "--format", "json"], { cwd: dir }),
      `refusing to write ${name}: it is an input of this run; choose another output file`,
    );
    expect(fs.readFileSync(path.join(dir, name), "utf8")).toBe(before);
    expect(listing(dir)).toEqual(listing(tempProject(INPUTS)));
  });

  test("--env-file, through a symlink, or a hard link to an input: refused too", () => {
    const dir = tempProject(INPUTS);
    const args = ["--env-file", "ci.env", "--format", "json"];
    expectRefused(
      runCli([...args, "-o", "ci.env"], { cwd: dir }),
      "refusing to write ci.env: it is an input of this run; choose another output file",
    );
    fs.symlinkSync("compose.yaml", path.join(dir, "bake.json"));
    expectRefused(
      runCli(["-o", "bake.json"], { cwd: dir }),
      "refusing to write bake.json: it is an input of this run; choose another output file",
    );
    fs.linkSync(path.join(dir, "compose.yaml"), path.join(dir, "hard.json"));
    expectRefused(
      runCli(["-o", "hard.json"], { cwd: dir }),
      "refusing to write hard.json (the same file as compose.yaml): it is an input of this run; choose another output file",
    );
    expect(fs.readFileSync(path.join(dir, "compose.yaml"), "utf8")).toBe(INPUTS["compose.yaml"]);
  });
});

describe("the output file name and format (issue #11)", () => {
  // Was: JSON written to out.yml, which bake then reads as a Compose file.
  test.each([["out.yml"], ["compose.override.yaml"], ["docker-bake"]])(
    "-o %s: exit 2 unless --format says which",
    (name) => {
      const dir = tempProject(SIMPLE);
      expectRefused(
        runCli(["-o", name], { cwd: dir }),
        `cannot tell the output format from the name ${name}: name it .json or .hcl, or give --format json or --format hcl`,
      );
      expect(listing(dir)).toEqual(["compose.yaml"]);
      expect(runCli(["-o", name, "--format", "hcl"], { cwd: dir })).toEqual({
        status: 0,
        stdout: "",
        stderr: WROTE_WEB(name),
      });
    },
  );

  test("toml `output` with an unknown extension needs toml `format`", () => {
    const dir = tempProject({ ...SIMPLE, "compose2bake.toml": 'output = "bake.txt"\n' });
    expectRefused(
      runCli([], { cwd: dir }),
      /^compose2bake: error: cannot tell the output format from the name bake\.txt/,
    );
    fs.writeFileSync(path.join(dir, "compose2bake.toml"), 'output = "bake.txt"\nformat = "json"\n');
    expect(runCli([], { cwd: dir }).status).toBe(0);
  });

  test("--format contradicting the extension", () => {
    const dir = tempProject(SIMPLE);
    expectRefused(
      runCli(["-o", "x.hcl", "--format", "json"], { cwd: dir }),
      "the format json does not match the output file's extension (x.hcl)",
    );
  });
});

describe("wrote …, -q (issue #11)", () => {
  const WARNS = {
    "compose.yaml": "services:\n  web:\n    build:\n      context: .\n      args:\n        A: ${UNSET_VAR}\n",
  };

  test("one line after writing; -q silences it and the warnings, not the errors", () => {
    const dir = tempProject(WARNS);
    const r = runCli(["-o", "docker-bake.hcl", "--resolve"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('The "UNSET_VAR" variable is not set');
    expect(r.stderr.endsWith("compose2bake: wrote docker-bake.hcl (1 target, 1 group)\n")).toBe(true);
    expect(runCli(["-q", "-o", "docker-bake.hcl", "--resolve"], { cwd: dir })).toEqual({
      status: 0,
      stdout: "",
      stderr: "",
    });
    expect(runCli(["--quiet", "--resolve"], { cwd: dir }).stderr).toBe("");
    const bad = runCli(["-q", "-o", "docker-bake.hcl", "-f", "missing.yaml"], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("missing.yaml: no such file or directory");
  });

  test("counts in the plural", () => {
    const dir = tempProject({
      "compose.yaml": "services:\n  a:\n    build: .\n  b:\n    build: .\n    profiles: [x]\n",
    });
    expect(runCli(["-o", "b.json", "--profile", "x"], { cwd: dir }).stderr).toBe(
      "compose2bake: wrote b.json (2 targets, 2 groups)\n",
    );
  });
});

describe("--fail-on-change (issue #11)", () => {
  test("created, updated: exit 1 with a message; unchanged: exit 0", () => {
    const dir = tempProject(SIMPLE);
    const args = ["--fail-on-change", "-o", "docker-bake.hcl"];
    expect(runCli(args, { cwd: dir })).toEqual({
      status: 1,
      stdout: "",
      stderr: "compose2bake: created docker-bake.hcl: review and `git add` it\n",
    });
    expect(fs.readFileSync(path.join(dir, "docker-bake.hcl"), "utf8")).toContain('target "web"');
    expect(runCli(args, { cwd: dir })).toEqual({ status: 0, stdout: "", stderr: WROTE_WEB("docker-bake.hcl") });
    expect(runCli([...args, "-q"], { cwd: dir })).toEqual({ status: 0, stdout: "", stderr: "" });
    fs.writeFileSync(path.join(dir, "compose.yaml"), "services:\n  web:\n    build: ./other\n");
    expect(runCli([...args, "-q"], { cwd: dir })).toEqual({
      status: 1,
      stdout: "",
      stderr: "compose2bake: updated docker-bake.hcl: review and `git add` it\n",
    });
    expect(fs.readFileSync(path.join(dir, "docker-bake.hcl"), "utf8")).toContain('"other"');
  });

  test("no output file configured: exit 2 with the way to configure one", () => {
    const dir = tempProject(SIMPLE);
    const message = "no output file: set `output` in compose2bake.toml or `args: [-o, docker-bake.hcl]`";
    expectRefused(runCli(["--fail-on-change"], { cwd: dir }), message);
    expectRefused(runCli(["--fail-on-change", "-o", "-"], { cwd: dir }), message);
  });
});

describe("replacing a file", () => {
  // Was: 0644 (the umask), and the owner of whoever ran it.
  test("keeps the old file's mode, and its owner where permitted", () => {
    const dir = tempProject(SIMPLE);
    const file = path.join(dir, "docker-bake.json");
    fs.writeFileSync(file, "old\n");
    fs.chmodSync(file, 0o664);
    const root = process.getuid?.() === 0;
    if (root) fs.chownSync(file, 1234, 2345);
    expect(runCli(["-o", "docker-bake.json"], { cwd: dir }).status).toBe(0);
    const st = fs.statSync(file);
    expect(st.mode & 0o777).toBe(0o664);
    if (root) expect([st.uid, st.gid]).toEqual([1234, 2345]);
    expect(fs.readFileSync(file, "utf8")).toContain('"web"');
  });
});

describe("the temporary file", () => {
  afterEach(() => jest.restoreAllMocks());

  // Was: `.<name>.<pid>.<ms>.tmp`, opened following symlinks: a planted link made the run overwrite its target.
  test("cannot be redirected by a planted symlink: random name, exclusive, no follow", async () => {
    const crypto = require("node:crypto") as typeof import("node:crypto");

    const { writeFileAtomic } = require("../../src/cli/write-file") as typeof import("../../src/cli/write-file");
    const dir = tempProject({ "victim.txt": "victim\n" });
    const victim = path.join(dir, "victim.txt");
    jest.spyOn(Date, "now").mockReturnValue(1_700_000_000_000);
    jest
      .spyOn(crypto, "randomBytes")
      .mockImplementation(((n: number) => Buffer.alloc(n, 0xab)) as unknown as typeof crypto.randomBytes);
    // Every name the writer could pick here, planted: the old predictable one and the (mocked) random one.
    fs.symlinkSync(victim, path.join(dir, `.out.json.${process.pid}.1700000000000.tmp`));
    fs.symlinkSync(victim, path.join(dir, `.out.json.${"ab".repeat(8)}.tmp`));
    await expect(writeFileAtomic(path.join(dir, "out.json"), "new\n")).rejects.toThrow(`cannot write ${dir}/out.json`);
    expect(fs.readFileSync(victim, "utf8")).toBe("victim\n");
    expect(fs.existsSync(path.join(dir, "out.json"))).toBe(false);
  });

  test("two runs never share a name", async () => {
    const { writeFileAtomic } = await import("../../src/cli/write-file");
    const dir = tempProject({});
    const seen = new Set<string>();
    const watcher = fs.watch(dir, (_e, name) => name && name.endsWith(".tmp") && seen.add(name));
    await Promise.all(
      Array.from({ length: 5 }, () => writeFileAtomic(path.join(dir, "out.json"), "x".repeat(3 << 20))),
    );
    await new Promise((r) => setTimeout(r, 100));
    watcher.close();
    expect(seen.size).toBe(5);
    expect(listing(dir)).toEqual(["out.json"]);
  });
});

describe("signals (issue #12)", () => {
  /**
   * A run whose output is about 40 MB: a `[target."*"]` label of 200 KB added to 200 targets. The child is
   * stopped as soon as its temporary file appears, sent the signal while stopped, then let go: the signal
   * arrives in the middle of the write, whatever the machine's speed.
   */
  function bigOutputProject(): string {
    const services = Array.from({ length: 200 }, (_, i) => `  s${i}:\n    build: ./s${i}`);
    return tempProject({
      "compose.yaml": `services:\n${services.join("\n")}\n`,
      "compose2bake.toml": `[target."*"]\nlabels = { big = "${"x".repeat(200_000)}" }\n`,
    });
  }

  async function interrupt(
    dir: string,
    signal: NodeJS.Signals,
  ): Promise<{ signal: NodeJS.Signals | null; code: number | null; midWrite: boolean }> {
    const child = spawn(process.execPath, [BIN, "-o", "docker-bake.json"], {
      cwd: dir,
      env: fixedEnv(),
      stdio: "ignore",
    });
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, sig) => resolve({ code, signal: sig })),
    );
    let midWrite = false;
    await new Promise<void>((resolve) => {
      const watcher = fs.watch(dir, (_event, name) => {
        if (!name?.endsWith(".tmp")) return;
        child.kill("SIGSTOP");
        watcher.close();
        midWrite = listing(dir).some((f) => f.endsWith(".tmp"));
        child.kill(signal);
        child.kill("SIGCONT");
        resolve();
      });
      void done.then(() => {
        watcher.close();
        resolve();
      });
    });
    const exit = await done;
    return { ...exit, midWrite };
  }

  test.each([["SIGTERM"], ["SIGINT"]] as const)(
    "%s during a large write: no temporary file left, the old file kept, killed by it",
    async (signal) => {
      const dir = bigOutputProject();
      fs.writeFileSync(path.join(dir, "docker-bake.json"), "previous\n");
      let r = await interrupt(dir, signal);
      // A machine fast enough to finish the write before being stopped: try again.
      for (let i = 0; i < 3 && !r.midWrite; i++) r = await interrupt(dir, signal);
      if (!r.midWrite) return console.warn("the write always finished before the signal: nothing checked");
      expect(r.signal).toBe(signal);
      expect(listing(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      expect(fs.readFileSync(path.join(dir, "docker-bake.json"), "utf8")).toBe("previous\n");
    },
    60_000,
  );
});

describe("standard output and error failures (issue #12)", () => {
  const full = fs.existsSync("/dev/full") ? test : test.skip;

  // Was: exit 3, "internal error" and a stack trace.
  full("stdout on /dev/full: exit 2, cannot write standard output", () => {
    const dir = tempProject(SIMPLE);
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" > /dev/full`], {
      cwd: dir,
      env: fixedEnv(),
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("compose2bake: error: cannot write standard output: no space left on device\n");
  });

  // Was: exit 1 (the "stale" code) from the failed stderr write.
  full("stderr on /dev/full changes no exit code", () => {
    const dir = tempProject({
      "compose.yaml": "services:\n  web:\n    build:\n      context: .\n      args: {A: $UNSET_VAR}\n",
    });
    const sh = (args: string): number | null =>
      spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" ${args} 2> /dev/full`], {
        cwd: dir,
        env: fixedEnv(),
        encoding: "utf8",
      }).status;
    expect(sh("--resolve -o out.json")).toBe(0);
    expect(sh("--resolve --check -o out.json")).toBe(0);
    expect(sh("-f missing.yaml")).toBe(2);
    fs.writeFileSync(path.join(dir, "out.json"), "stale\n");
    expect(sh("--resolve --check -o out.json")).toBe(1);
  });
});
