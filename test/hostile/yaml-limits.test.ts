/**
 * Inputs built to exhaust memory, time or the stack: alias bombs, deep nesting written out or reached through
 * aliases, huge files. Each must end in a clean error (or a result), never in an abort, a RangeError or a hang.
 *
 * What docker compose 2.40.3 does with the same inputs (run by hand; too slow or too big for the suite):
 * - billion laughs (9 levels of 9 aliases in an `x-` key): still running after 35 minutes with 17 GB resident;
 * - 500 anchors each aliasing the previous one: killed after 30 s / 3 GB;
 * - 10,001 nested `[`: `yaml: line 4: exceeded max depth of 10000` (go-yaml's limit; 5,000 are accepted);
 * - 50 MB of nodes: `fatal error: out of memory` under a 3 GB limit; 50 MB of comments or one 50 MB string: read.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runCli } from "../support/run";
import { OUTPUT, expectCleanFailure, hostileProject, positionOf, runHostile, writeLargeFile } from "./support";
import { MAX_DEPTH, MAX_FILE_BYTES, MAX_YAML_NODES } from "../../src/compose/yaml";

const SERVICE = "services:\n  web:\n    build: .\n";

/** Large generated files are removed once checked (only when the test passed: a failure keeps them to look at). */
function removeLarge(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** `x-defs` holding anchors a0…a(n-1), each `!reset` (so never walked on its own) and wrapping the previous one. */
function aliasChain(n: number, wrap: (previous: string) => string): string {
  const lines = ["x-defs:", "  a0: !reset &a0 [1]"];
  for (let i = 1; i < n; i++) lines.push(`  a${i}: !reset &a${i} ${wrap(`*a${i - 1}`)}`);
  return lines.join("\n") + "\n";
}

describe("hostile YAML: limits", () => {
  test("a billion-laughs alias bomb is refused as go-yaml refuses it: excessive aliasing", () => {
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(",")}]`,
      );
    const dir = hostileProject({ "compose.yaml": `x-bomb:\n  ${lines.join("\n  ")}\n${SERVICE}` });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: document contains excessive aliasing [yaml-excessive-aliasing]`,
    });
  });

  test("a bomb made of merge keys stops the same way", () => {
    const lines = ["x-m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}"];
    for (let i = 1; i < 9; i++)
      lines.push(
        `x-m${i}: &m${i} {${"abcdefgh"
          .split("")
          .map((k) => `${k}: *m${i - 1}`)
          .join(", ")}}`,
      );
    const dir = hostileProject({
      "compose.yaml": `${lines.join("\n")}\nservices:\n  web:\n    build:\n      context: .\n      x-big:\n        <<: [*m8, *m8]\n`,
    });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: document contains excessive aliasing [yaml-excessive-aliasing]`,
    });
  });

  test("a bomb whose aliases name the anchors of an earlier document stops the same way", () => {
    // The first document alone stays below go-yaml's threshold (fewer than 1,000 decoded nodes).
    const lines = ['x-a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 3; i++)
      lines.push(
        `x-a${i}: &a${i} [${Array(5)
          .fill(`*a${i - 1}`)
          .join(",")}]`,
      );
    const second = `services:\n  web:\n    build:\n      x-big: [${Array(20).fill("*a2").join(",")}]\n`;
    const dir = hostileProject({ "compose.yaml": `${lines.join("\n")}\n${SERVICE}---\n${second}` });
    const r = runHostile(dir);
    expectCleanFailure(r, dir, {
      message: `failed to parse ${dir}/compose.yaml: document contains excessive aliasing [yaml-excessive-aliasing]`,
    });
    expect(positionOf(r).line).toBeGreaterThan(lines.length + 4);
  });

  // Was: 4 minutes for this 46 KB file (each alias searched the whole document; 15 to 60 s with 500 anchors).
  test("2,000 anchors each aliasing the previous one fail fast", () => {
    const lines = ["x-a0: &a0 [1]"];
    for (let i = 1; i < 2_000; i++) lines.push(`x-a${i}: &a${i} [*a${i - 1}]`);
    const dir = hostileProject({ "compose.yaml": `${lines.join("\n")}\n${SERVICE}` });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: document contains excessive aliasing [yaml-excessive-aliasing]`,
    });
  }, 30_000);

  test.each([
    ["flow sequences", "[".repeat(10_000) + "]".repeat(10_000)],
    ["flow mappings", "{a: ".repeat(10_000) + "1" + "}".repeat(10_000)],
    ["compact block sequences", "\n      " + "- ".repeat(5_000) + "x"],
  ])("10,000 nested %s: exceeded max depth, with a position", (_name, deep) => {
    const dir = hostileProject({ "compose.yaml": `${SERVICE}    x-deep: ${deep}\n` });
    const r = runHostile(dir);
    expectCleanFailure(r, dir, {
      message: `failed to parse ${dir}/compose.yaml: exceeded max depth of ${MAX_DEPTH} [yaml-too-deep]`,
    });
    expect(positionOf(r).line).toBeGreaterThanOrEqual(4);
  });

  test("3,000 nested block mappings (the yaml package's own stack overflow): exceeded max depth", () => {
    let text = `${SERVICE}    x-deep:\n`;
    for (let i = 0; i < 3_000; i++) text += " ".repeat(6 + i) + "a:\n";
    const dir = hostileProject({ "compose.yaml": text });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: exceeded max depth of ${MAX_DEPTH} [yaml-too-deep]`,
    });
  });

  // Was: exit 3, `internal error: RangeError: Maximum call stack size exceeded` and a stack trace. The file is
  // shallow; only the expansion of its aliases is deep, so neither go-yaml nor the yaml package sees the depth.
  test.each([
    ["sequences", (p: string) => `[${p}]`],
    ["mappings", (p: string) => `{k: ${p}}`],
  ])("an alias chain that expands to 5,000 nested %s: exceeded max depth", (_name, wrap) => {
    const dir = hostileProject({ "compose.yaml": `${aliasChain(2_500, wrap)}${SERVICE}    x-deep: *a2499\n` });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: exceeded max depth of ${MAX_DEPTH} [yaml-too-deep]`,
    });
  });

  test("nesting just below the limit still converts, in both formats and both variable modes", () => {
    // services.web.build.x-bake.output: 5 levels, then 2 per link of the chain.
    const n = Math.floor((MAX_DEPTH - 10) / 2);
    const dir = hostileProject({
      "compose.yaml": `${aliasChain(n, (p) => `[${p}]`)}services:\n  web:\n    build:\n      context: .\n      x-deep: *a${n - 1}\n      x-bake:\n        x-unknown: *a${n - 1}\n`,
    });
    for (const extra of [[], ["--resolve"]]) {
      for (const out of ["docker-bake.json", "docker-bake.hcl"]) {
        const r = runCli([...extra, "-o", out], { cwd: dir });
        expect(r.stderr).not.toContain("error");
        expect(r.status).toBe(0);
      }
    }
  });

  test("a 50 MB compose file is refused before it is parsed", () => {
    const dir = hostileProject({});
    writeLargeFile(path.join(dir, "compose.yaml"), `x-big:\n`, "  - [a, b, c, d, e, f, g, h]\n", 50 << 20, SERVICE);
    expectCleanFailure(runHostile(dir), dir, {
      position: "file",
      message: `read ${dir}/compose.yaml: compose file is larger than ${MAX_FILE_BYTES >> 20} MiB [compose-file-too-large]`,
    });
    removeLarge(dir);
  });

  test("a 50 MB compose file of comments is refused the same way (docker compose reads it)", () => {
    const dir = hostileProject({});
    writeLargeFile(path.join(dir, "compose.yaml"), SERVICE, `# ${"c".repeat(1000)}\n`, 50 << 20);
    expectCleanFailure(runHostile(dir), dir, {
      position: "file",
      message: `read ${dir}/compose.yaml: compose file is larger than ${MAX_FILE_BYTES >> 20} MiB [compose-file-too-large]`,
    });
    removeLarge(dir);
  });

  // Was: 13 s and 1.5 GB for 4 MB of `- [a, b, …]`; 85 s and a V8 heap abort (signal 6) for 16 MB.
  test("a file under the size limit with too many nodes is refused by the lexer count", () => {
    const dir = hostileProject({});
    writeLargeFile(
      path.join(dir, "compose.yaml"),
      `x-big:\n`,
      "  - [a, b, c, d, e, f, g, h]\n",
      MAX_FILE_BYTES - 1024,
      SERVICE,
    );
    expectCleanFailure(runHostile(dir), dir, {
      message: `compose file exceeds maximum node visit limit (100000): it has more than ${MAX_YAML_NODES} YAML nodes [yaml-too-many-nodes]`,
    });
    removeLarge(dir);
  });

  test("a large file of comments and long strings under the limit converts", () => {
    const dir = hostileProject({});
    writeLargeFile(
      path.join(dir, "compose.yaml"),
      `services:\n  web:\n    build:\n      context: .\n      dockerfile_inline: |\n`,
      "        RUN echo 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
      8 << 20,
      `# ${"c".repeat(1000)}\n`.repeat(1000),
    );
    const r = runHostile(dir);
    expect(r.stderr).toBe("compose2bake: wrote out/docker-bake.json (1 target, 1 group)\n");
    expect(r.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, OUTPUT), "utf8")).target.web["dockerfile-inline"]).toMatch(
      /^RUN echo/,
    );
    removeLarge(dir);
  });

  test("-f /dev/zero is refused at the size limit instead of being read forever", () => {
    const dir = hostileProject({});
    expectCleanFailure(runHostile(dir, ["-f", "/dev/zero"]), dir, {
      position: "file",
      file: "/dev/zero",
      message: `read /dev/zero: compose file is larger than ${MAX_FILE_BYTES >> 20} MiB [compose-file-too-large]`,
    });
  });
});
