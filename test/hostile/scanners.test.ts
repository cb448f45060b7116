/**
 * Hostile input against keep mode and the emitters (issue #12), one block per class, each through the built
 * CLI: scanners that must stay linear on long values and keys, values shaped like our internal structures
 * (a `template` key, a keep token), arg names that would be HCL expressions, and strings bake would read back
 * differently (a leading U+FEFF in JSON, CSV in secret and ssh entries). Where the real bake is present
 * (.tools/), the written file is also read back by `docker buildx bake --print`.
 *
 * Linear time is checked the only way a test can: with inputs large enough that the old quadratic scanners took
 * many minutes, under jest's timeout. `npm run bench` (BENCH_ONLY=pathological) times them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { BIN, fixedEnv, runCli, type CliResult } from "../support/run";
import { bakePrintAsync, findRealTools, writeSshPrivateKey, type BakePrintTarget } from "../support/realtools";
import { OUTPUT, expectCleanFailure, hostileProject, runHostile, writeLargeFile } from "./support";

const tools = findRealTools();
const withTools = tools ? test : test.skip;

const build = (body: string): string => `services:\n  web:\n    build:\n      context: .\n${body}`;

/** The written bake file, JSON or HCL (by OUTPUT's name). */
function output(dir: string, file = OUTPUT): string {
  return fs.readFileSync(path.join(dir, file), "utf8");
}

/** The written file as `docker buildx bake --print` reads it, run in the file's folder: the one target `web`. */
async function bakeTarget(dir: string, file = OUTPUT, env: Record<string, string> = {}): Promise<BakePrintTarget> {
  const abs = path.join(dir, file);
  const r = await bakePrintAsync(tools!, {
    files: [path.basename(abs)],
    cwd: path.dirname(abs),
    env,
    targets: ["web"],
  });
  if (!r.ok) throw new Error(`bake --print failed: ${r.stderr}`);
  return r.json.target!.web!;
}

/** Runs the CLI, killed after a minute (jest's own timeout cannot interrupt a synchronous spawn). */
function runTimed(dir: string, args: string[], env?: Record<string, string>): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: env ?? fixedEnv(),
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI (`-o OUTPUT` unless args name another output) and expects success; returns stderr. */
function ok(dir: string, args: string[] = ["-o", OUTPUT], env?: Record<string, string>): string {
  const r = runTimed(dir, args, env);
  expect({ status: r.status, stderr: r.stderr }).toEqual({
    status: 0,
    stderr: r.status === 0 ? expect.any(String) : "",
  });
  return r.stderr;
}

describe("linear scanners", () => {
  test("a shm_size of 300,000 digits with a letter inside is refused at once (the size regex `\\d+\\.?\\d*` was quadratic)", () => {
    const dir = hostileProject({ "compose.yaml": build(`      shm_size: "${"1".repeat(300_000)}x1"\n`) });
    expectCleanFailure(runTimed(dir, ["-o", OUTPUT]), dir, {
      message:
        /^decoding failed due to the following error\(s\): 'services\[web\]\.build\.shm_size' strconv\.ParseFloat: parsing "1{300000}x1": invalid syntax \[invalid-size\]$/,
    });
  }, 90_000);

  test("a label of 2,000,000 `$$` then x${VAR}: the `$` run before a reference is found by a scan (was /\\$+$/.exec, quadratic)", () => {
    const dir = hostileProject({});
    const head = build('      labels:\n        L: "');
    writeLargeFile(path.join(dir, "compose.yaml"), head, "$$", head.length + 4_000_000, 'x${VAR}"\n');
    ok(dir);
    const text = output(dir);
    // 2,000,000 literal `$` (written as is: not followed by `{`), then `x`, then the variable.
    expect(text).toContain('"L": "$$$$');
    expect(text).toContain('$$x${VAR}"');
  }, 90_000);

  test("20,000 `${A:-x}` then 4 MB of text on one line: the line's end and last `}` are searched once (was once per reference)", () => {
    const dir = hostileProject({});
    const head = build(`      labels:\n        L: "${"${A:-x}".repeat(20_000)}`);
    writeLargeFile(path.join(dir, "compose.yaml"), head, "a", head.length + 4_000_000, '"\n');
    ok(dir, ["--resolve", "-o", OUTPUT]);
    expect(output(dir)).toContain('"L": "xxxxxxxxxx');
  }, 90_000);

  test("a 3.6 MB label key of `.build.labels.image` runs ending in a newline: place decided on path segments (was regexes over the joined path)", () => {
    const dir = hostileProject({});
    const key = ".build.labels.image".repeat(200_000) + "\\n";
    // An explicit key (`? key`): go-yaml refuses an implicit key longer than 1,024 characters.
    fs.writeFileSync(path.join(dir, "compose.yaml"), build(`      labels:\n        ? "${key}"\n        : "\${X}"\n`));
    ok(dir);
    const target = JSON.parse(output(dir)) as { target: { web: { labels: Record<string, string> } } };
    // A label value reaches bake unchanged, so the reference stays a variable, whatever its key looks like.
    expect(Object.values(target.target.web.labels)).toEqual(["${X}"]);
  }, 90_000);

  test("one variable required 100,000 times with different messages: validations de-duplicated through a set", () => {
    const dir = hostileProject({});
    const refs = Array.from({ length: 100_000 }, (_, i) => `\${A:?m${i % 50_000}}`).join("");
    fs.writeFileSync(path.join(dir, "compose.yaml"), build(`      labels:\n        L: "${refs}"\n`));
    ok(dir);
    const text = JSON.parse(output(dir)) as { variable: { A: { validation: unknown[] } } };
    expect(text.variable.A.validation).toHaveLength(50_000);
  }, 90_000);
});

describe("a map key named `template` is a key (maps are walked by attribute kind, not by value shape)", () => {
  test.each(["args", "labels"])("%s: {template: a, VERSION: ${V}} keeps V as a variable", (attr) => {
    const dir = hostileProject({
      "compose.yaml": build(`      ${attr}:\n        template: a\n        VERSION: "\${V}"\n`),
    });
    ok(dir);
    const bake = JSON.parse(output(dir)) as {
      variable: Record<string, unknown>;
      target: { web: Record<string, Record<string, string>> };
    };
    expect(bake.variable).toEqual({ V: { default: "" } });
    expect(bake.target.web[attr]).toEqual({ VERSION: "${V}", template: "a" });
    expect(output(dir)).not.toMatch(/[\uE000-\uF8FF]/);
  });
});

describe("value-less arg names are never HCL expressions, and never come from the environment", () => {
  const names = ['upper("injected")', "timestamp()", "A-B", "my.arg", "$$X", "a b"];
  const compose = build(
    `      args:\n${names.map((n) => `        - '${n}'\n`).join("")}        - \${K}\n        - PLAIN\n`,
  );
  const env = fixedEnv({ K: 'upper("from-env")', "my.arg": "set", PLAIN: "p" });

  test.each(["json", "hcl"])(
    "%s: dropped with a warning, as Compose drops a name no variable has; a plain name stays a variable",
    async (format) => {
      const out = `out/docker-bake.${format}`;
      const dir = hostileProject({ "compose.yaml": compose });
      const r = runCli(["-o", out], { cwd: dir, env });
      expect(r.status).toBe(0);
      // One warning at the args key names every dropped arg (warnings are printed once per place).
      const dropped = r.stderr.split("\n").filter((l) => l.endsWith("[valueless-arg-dropped]"));
      expect(dropped).toHaveLength(1);
      expect(dropped[0]).toContain(
        "have no value and their names are not variable names bake can read; they are dropped",
      );
      for (const n of ['upper(\\"injected\\")', "timestamp()", "A-B", "my.arg", "$X", "a b"]) {
        expect(dropped[0]).toContain(`"${n}"`);
      }
      expect(r.stderr).toContain(
        "services.web.build.args.6 is a value-less arg named by $K: bake cannot take an arg's name from a variable",
      );
      const text = output(dir, out);
      for (const n of ["upper", "timestamp", "A-B", "my.arg", "from-env"]) expect(text).not.toContain(n);
      expect(text).toContain("PLAIN");
      if (tools) {
        const target = await bakeTarget(dir, out, { PLAIN: "p", "my.arg": "set", INJECTED: "no" });
        expect(target.args).toEqual({ PLAIN: "p" });
      }
    },
  );
});

describe("user text never collides with keep tokens", () => {
  // U+E000 <digits> U+E001 was the token format: a literal one became another variable's expression, or exit 3.
  const forged = "x\uE0000\uE001y\uE00099\uE001z";
  const compose = `services:\n  web:\n    image: "img:${forged}"\n    build:\n      context: .\n      args:\n        V: "\${V}"\n        A: "${forged}"\n      labels:\n        L: "${forged}\${W}"\n`;

  test.each(["json", "hcl"])("%s: written back literally, next to real references", async (format) => {
    const out = `out/docker-bake.${format}`;
    const dir = hostileProject({ "compose.yaml": compose });
    ok(dir, ["-o", out]);
    const text = output(dir, out);
    expect(text).toContain(forged);
    if (tools) {
      const target = await bakeTarget(dir, out, { V: "v", W: "w" });
      expect(target.args).toEqual({ A: forged, V: "v" });
      expect(target.labels).toEqual({ L: `${forged}w` });
      expect(target.tags).toEqual([`img:${forged}`]);
    }
  });
});

describe("strings bake reads back exactly", () => {
  const compose = build(
    '      args:\n        A: "\\ufeffabc"\n        "\\ufeffK": v\n        B: "\\ufeff${V:-\\ufeffd}"\n      labels:\n        L: "\\ufeff"\n',
  );

  test.each(["json", "hcl"])(
    "%s: a leading U+FEFF survives (bake drops it from the start of a JSON string)",
    async (format) => {
      const out = `out/docker-bake.${format}`;
      const dir = hostileProject({ "compose.yaml": compose });
      ok(dir, ["-o", out]);
      if (format === "json") expect(output(dir, out)).toContain('"A": "${\\"\\\\ufeff\\"}abc"');
      if (!tools) return;
      const target = await bakeTarget(dir, out);
      expect(target.args).toEqual({ A: "\ufeffabc", "\ufeffK": "v", B: "\ufeff\ufeffd" });
      expect(target.labels).toEqual({ L: "\ufeff" });
    },
  );

  const secrets = `services:
  web:
    build:
      context: .
      secrets:
        - source: s
          target: "id1,src=/etc/shadow"
        - source: t
          target: 'q"uote'
      ssh:
        - k=./a,./b/k
secrets:
  s:
    file: ./s,x.txt
  t:
    environment: "E,V"
`;

  test.each(["json", "hcl"])("%s: secret fields are CSV-quoted, every ssh path is relative", async (format) => {
    const out = `out/docker-bake.${format}`;
    const dir = hostileProject({ "compose.yaml": secrets, "s,x.txt": "x", a: "", "b/k": "" });
    ok(dir, ["-o", out]);
    const text = output(dir, out);
    expect(text).toContain(
      format === "json"
        ? '"\\"id=id1,src=/etc/shadow\\",\\"src=../s,x.txt\\""'
        : '"\\"id=id1,src=/etc/shadow\\",\\"src=../s,x.txt\\""',
    );
    expect(text).toContain("k=../a,../b/k");
    if (!tools) return;
    // bake --print reads the ssh key files.
    writeSshPrivateKey(path.join(dir, "a"));
    writeSshPrivateKey(path.join(dir, "b/k"));
    const target = await bakeTarget(dir, out);
    expect(target.secret).toEqual([
      { id: "id1,src=/etc/shadow", src: "../s,x.txt" },
      { id: 'q"uote', env: "E,V" },
    ]);
    expect(target.ssh).toEqual([{ id: "k", paths: ["../a", "../b/k"] }]);
  });

  test("an ssh id holding `=` cannot be written: exit 2 with its position", () => {
    const dir = hostileProject({ "compose.yaml": build('      ssh:\n        "a=b": ./k\n') });
    const r = runHostile(dir);
    expectCleanFailure(r, dir, {
      message: 'ssh id "a=b" holds "=", which bake reads as the end of the id [invalid-ssh-id]',
    });
  });
});

withTools("the real bake reads a secret entry's quoted fields back (a control for the CSV rules)", async () => {
  const dir = hostileProject({
    "docker-bake.json": JSON.stringify({ target: { web: { context: ".", secret: ['"id=a""b,c",env=X'] } } }),
  });
  expect((await bakeTarget(dir, "docker-bake.json")).secret).toEqual([{ id: 'a"b,c', env: "X" }]);
});
