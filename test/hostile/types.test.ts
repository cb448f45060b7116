/**
 * Wrong types at every build key (and at the keys around `build:`): each must give a result or a clean error
 * with a position, never an internal error. The whole matrix runs through the CLI's `main` in-process (a few
 * thousand runs); one case per key also spawns the built CLI.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../src/cli/main";
import { fixedEnv, type CliResult } from "../support/run";
import { OUTPUT, PREVIOUS, expectCleanFailure, hostileProject, runHostile } from "./support";

const BUILD_KEYS = [
  "context",
  "dockerfile",
  "dockerfile_inline",
  "args",
  "labels",
  "tags",
  "target",
  "platforms",
  "cache_from",
  "cache_to",
  "additional_contexts",
  "secrets",
  "ssh",
  "network",
  "shm_size",
  "ulimits",
  "extra_hosts",
  "no_cache",
  "pull",
  "no_cache_filter",
  "entitlements",
  "privileged",
  "provenance",
  "sbom",
  "isolation",
  "x-bake",
];

const WRONG = [
  "[1, 2]",
  "{a: 1}",
  "42",
  "true",
  "~",
  '""',
  "[[1]]",
  "[{a: [1]}]",
  "{a: {b: [1]}}",
  "1.5",
  "-1",
  ".nan",
  "[~]",
  "{a: ~}",
  "!!binary aGk=",
];

/** Places a value can go besides a build key: the shapes around `build:` and inside some build keys. */
const AROUND = [
  "services:\n  web:\n    build: %s\n",
  "services: %s\n",
  "services:\n  web: %s\n",
  "services:\n  web:\n    build: .\n    image: %s\n",
  "services:\n  web:\n    build: .\n    platform: %s\n",
  "services:\n  web:\n    build: .\n    profiles: %s\n",
  "services:\n  web:\n    build: .\n    extends: %s\n",
  "secrets: %s\nservices:\n  web:\n    build: .\n",
  "secrets:\n  s: %s\nservices:\n  web:\n    build:\n      context: .\n      secrets: [s]\n",
  "name: %s\nservices:\n  web:\n    build: .\n",
  "include: %s\nservices:\n  web:\n    build: .\n",
  "include:\n  - %s\nservices:\n  web:\n    build: .\n",
  "services:\n  web:\n    build:\n      context: .\n      args:\n        A: %s\n",
  "services:\n  web:\n    build:\n      context: .\n      args: [%s]\n",
  "services:\n  web:\n    build:\n      context: .\n      labels:\n        a: %s\n",
  "services:\n  web:\n    build:\n      context: .\n      secrets: [{source: %s}]\n",
  "services:\n  web:\n    build:\n      context: .\n      ssh: {a: %s}\n",
  "services:\n  web:\n    build:\n      context: .\n      ulimits: {nofile: %s}\n",
  "services:\n  web:\n    build:\n      context: .\n      ulimits: {nofile: {soft: %s, hard: 2}}\n",
  "services:\n  web:\n    build:\n      context: .\n      extra_hosts: {h: %s}\n",
  "services:\n  web:\n    build:\n      context: .\n      additional_contexts: {a: %s}\n",
  "services:\n  web:\n    build:\n      context: .\n      x-bake: {tags: %s, output: %s, contexts: {a: %s}, pull: %s, secret: %s}\n",
];

function composeFiles(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const key of BUILD_KEYS) {
    for (const value of WRONG) {
      out.push([`${key}: ${value}`, `services:\n  web:\n    build:\n      context: .\n      ${key}: ${value}\n`]);
    }
  }
  for (const shape of AROUND) {
    for (const value of WRONG) out.push([shape.replace(/\n/g, "|").replace(/%s/g, value), shape.replace(/%s/g, value)]);
  }
  return out;
}

async function runInProcess(dir: string, args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const status = await main(args, {
    cwd: dir,
    env: fixedEnv(),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { status, stdout, stderr };
}

/** A result (exit 0, warnings with positions only) or a clean failure. */
function expectResultOrCleanFailure(r: CliResult, dir: string): void {
  if (r.status === 0) {
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    // After the warnings, the CLI's one line about the file it wrote.
    expect(lines.pop()).toMatch(/^compose2bake: wrote out\/docker-bake\.json \(\d+ targets?, \d+ groups?\)$/);
    for (const line of lines) expect(line).toMatch(/^compose\.yaml:\d+:\d+: warning: /);
    expect(fs.readFileSync(path.join(dir, OUTPUT), "utf8")).not.toBe(PREVIOUS);
    return;
  }
  // Some values are errors in more than one place: the first line names one, each line has a position.
  const first = { ...r, stderr: r.stderr.split("\n")[0] + "\n" };
  expectCleanFailure(first, dir, { message: /\[[a-z-]+\]$/ });
  for (const line of r.stderr.split("\n").filter((l) => l !== ""))
    expect(line).toMatch(/^compose\.yaml:\d+:\d+: (error|warning): /);
}

describe("wrong types at every key", () => {
  const cases = composeFiles();

  test(`${cases.length} compose files, in-process, in both variable modes and in HCL`, async () => {
    const dir = hostileProject({});
    for (const [name, text] of cases) {
      fs.writeFileSync(path.join(dir, "compose.yaml"), text);
      for (const args of [
        ["-o", OUTPUT],
        ["--resolve", "-o", OUTPUT],
        ["--format", "hcl"],
      ]) {
        fs.writeFileSync(path.join(dir, OUTPUT), PREVIOUS);
        const r = await runInProcess(dir, args);
        try {
          if (args.includes("-o")) expectResultOrCleanFailure(r, dir);
          else {
            // HCL on stdout: the same verdict, and some text when it succeeds.
            expect([0, 2]).toContain(r.status);
            if (r.status === 0) expect(r.stdout).toMatch(/^(group|variable) "/);
            for (const line of r.stderr.split("\n").filter((l) => l !== ""))
              expect(line).toMatch(/^compose\.yaml:\d+:\d+: (error|warning): /);
          }
        } catch (e) {
          throw new Error(`${name} ${args.join(" ")}: ${(e as Error).message}\nstderr: ${r.stderr}`, { cause: e });
        }
      }
    }
  }, 120_000);

  // Was: exit 0 with `"output": ["1,2", "[object Object]"]` and the tag "x" taken from `[[x]]`.
  test("x-bake lists and contexts with non-string items are ignored with a warning", () => {
    const dir = hostileProject({
      "compose.yaml":
        "services:\n  web:\n    build:\n      context: .\n      x-bake:\n        output: [[1, [2]], {a: b}]\n        tags: [[x]]\n        contexts: {a: [1], b: docker-image://b}\n",
    });
    const r = runHostile(dir);
    expect(r.status).toBe(0);
    expect(r.stderr.split("\n").filter((l) => l !== "")).toEqual([
      "compose.yaml:6:17: warning: services.web.build.x-bake.output must be a list of strings or a string; it is ignored [x-bake-invalid]",
      "compose.yaml:7:15: warning: services.web.build.x-bake.tags must be a list of strings or a string; it is ignored [x-bake-invalid]",
      "compose.yaml:8:23: warning: services.web.build.x-bake.contexts.a must be a string; it is ignored [x-bake-invalid]",
      "compose2bake: wrote out/docker-bake.json (1 target, 1 group)",
    ]);
    const target = JSON.parse(fs.readFileSync(path.join(dir, OUTPUT), "utf8")).target.web;
    expect(target.output).toBeUndefined();
    expect(target.tags).toEqual([
      `${path
        .basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9_-]/g, "")}-web`,
    ]);
    expect(target.contexts).toEqual({ b: "docker-image://b" });
  });

  test.each(BUILD_KEYS)("build.%s: {a: {b: [1]}} through the built CLI", (key) => {
    const dir = hostileProject({
      "compose.yaml": `services:\n  web:\n    build:\n      context: .\n      ${key}: {a: {b: [1]}}\n`,
    });
    expectResultOrCleanFailure(runHostile(dir), dir);
  });
});
