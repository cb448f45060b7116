/**
 * The release bundle (dist/compose2bake.cjs, scripts/bundle.js) behaves exactly as the TypeScript build it is made
 * from (dist/src), including the parts it loads lazily (the `yaml` package's Document path and index, loaded on
 * first use) and whatever its V8 code cache is: present, absent, made for another bundle or rejected by V8.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BIN, REPO, fixedEnv, tempProject } from "../support/run";

/** The CLI from tsc's output, never the bundle. */
const TSC_CLI =
  `require(${JSON.stringify(path.join(REPO, "dist", "src", "cli", "main.js"))})` +
  ".main(process.argv.slice(1)).then((code) => { process.exitCode = code; });";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string[], cwd: string, env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, command, { cwd, env: fixedEnv({ GH_TOKEN: "t", ...env }), encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The benchmark's own project (bench/project.js), small. */
const BENCH_LIKE: string = (
  require(path.join(REPO, "bench", "project.js")) as {
    benchComposeYaml(n: number): string;
  }
).benchComposeYaml(4);

const PROJECTS: Record<string, Record<string, string>> = {
  "a project like the benchmark's": { "compose.yaml": BENCH_LIKE, "npm_token.txt": "x\n" },
  // An explicit key and a directive are beyond the CST path: the file goes through the yaml package's Document.
  "a file read through the yaml package's Document (explicit key, directive)": {
    "compose.yaml": "%YAML 1.2\n---\nservices:\n  ? web\n  : build: {context: ., args: {A: '${A:-1}'}}\n",
  },
  "a YAML syntax error": { "compose.yaml": "services:\n  web:\n    build: [.\n" },
  "a schema error (a typo'd key)": { "compose.yaml": "services:\n  web:\n    build: .\n    platfrom: linux/arm64\n" },
  "a refused size": { "compose.yaml": `services:\n  web:\n    build:\n      context: .\n      shm_size: "1x1"\n` },
};

describe.each(Object.entries(PROJECTS))("%s", (_name, files) => {
  const dir = tempProject(files);
  test.each([[[]], [["--format", "hcl"]], [["--resolve"]]])("%j: the bundle prints what tsc's build prints", (args) => {
    const bundled = run([BIN, ...args], dir);
    expect(bundled).toEqual(run(["-e", TSC_CLI, "--", ...args], dir));
    expect(bundled.stderr).not.toContain("internal error");
  });
});

// The yaml package prints every token it parses to stdout when LOG_TOKENS (its Parser) or LOG_STREAM (its
// Composer) is set: a bake file on stdout would start with the Compose file's text, and a CI log would show it.
test.each(Object.entries(PROJECTS))("%s: the yaml package's debug variables change nothing", (_name, files) => {
  const dir = tempProject(files);
  for (const args of [[], ["--format", "hcl"], ["-o", "out.json"]]) {
    const plain = run([BIN, ...args], dir);
    expect(run([BIN, ...args], dir, { LOG_TOKENS: "1", LOG_STREAM: "1" })).toEqual(plain);
  }
});

/** bin/ and the bundle copied to a fresh folder, the code cache replaced by `cache` (or removed). */
function installedCopy(cache: (original: Buffer) => Buffer | undefined): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "c2b-bundle-"));
  fs.cpSync(path.join(REPO, "bin"), path.join(root, "bin"), { recursive: true });
  fs.mkdirSync(path.join(root, "dist"));
  const bundle = path.join(REPO, "dist", "compose2bake.cjs");
  fs.copyFileSync(bundle, path.join(root, "dist", "compose2bake.cjs"));
  const data = cache(fs.readFileSync(`${bundle}.cache`));
  if (data) fs.writeFileSync(path.join(root, "dist", "compose2bake.cjs.cache"), data);
  return path.join(root, "bin", "compose2bake.js");
}

test.each<[string, (c: Buffer) => Buffer | undefined]>([
  ["no cache", () => undefined],
  ["a cache V8 rejects (right header, damaged body)", (c) => Buffer.concat([c.subarray(0, 33), Buffer.alloc(4096, 7)])],
  ["a cache made for another bundle", (c) => Buffer.concat([Buffer.from("0".repeat(32)), c.subarray(32)])],
])("with %s, the output is the same", (_name, cache) => {
  const bin = installedCopy(cache);
  for (const files of Object.values(PROJECTS)) {
    const dir = tempProject(files);
    expect(run([bin], dir)).toEqual(run([BIN], dir));
  }
});
