/**
 * Small files that expand into huge ones: one large string aliased many times, or a large service extended by
 * many others. The node limits (MAX_NODE_VISITS, go-yaml's "excessive aliasing" ratio, yaml-limits.test.ts)
 * count nodes, not characters, so a 1 MB anchor aliased 2,000 times passed them and ended in a 2 GB string
 * ("Invalid string length", exit 3); 400 times wrote a 400 MB file. docker compose 2.40.3 prints both.
 * Now: at most MAX_ALIAS_EXPANSION_CHARS characters from aliases per document, and a bake file of at most
 * MAX_OUTPUT_CHARS characters, each a clean exit 2.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MAX_ALIAS_EXPANSION_CHARS } from "../../src/compose/yaml";
import { MAX_OUTPUT_CHARS } from "../../src/bake/size";
import { fixedEnv, runCli } from "../support/run";
import { OUTPUT, expectCleanFailure, hostileProject, positionOf, runHostile } from "./support";

const MB = "a".repeat(1 << 20);

function aliased(times: number): string {
  const lines = [`x-big: &big "${MB}"`, "services:", "  web:", "    build:", "      context: .", "      args:"];
  for (let i = 0; i < times; i++) lines.push(`        A${i}: *big`);
  return lines.join("\n") + "\n";
}

describe("hostile amplification", () => {
  test("a 1 MB anchor aliased 2,000 times is refused at the alias that crosses the limit", () => {
    const dir = hostileProject({ "compose.yaml": aliased(2000) });
    const r = runHostile(dir);
    expectCleanFailure(r, dir, {
      message: `failed to parse ${dir}/compose.yaml: aliases expand to more than ${MAX_ALIAS_EXPANSION_CHARS} characters [yaml-alias-expansion]`,
    });
    // The 17th alias: 16 copies of 1 MiB reach the limit exactly.
    expect(positionOf(r)).toEqual({ line: 7 + 16, column: 14 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("aliases as keys and through merge keys count too", () => {
    const lines = [`x-k: &k "${MB}"`, `x-m: &m {v: "${MB}"}`, "x-use:"];
    for (let i = 0; i < 10; i++) lines.push(`  - {*k : 1}`);
    for (let i = 0; i < 10; i++) lines.push(`  - {<<: *m}`);
    lines.push("services:", "  web:", "    build: .");
    const dir = hostileProject({ "compose.yaml": lines.join("\n") + "\n" });
    expectCleanFailure(runHostile(dir), dir, {
      message: `failed to parse ${dir}/compose.yaml: aliases expand to more than ${MAX_ALIAS_EXPANSION_CHARS} characters [yaml-alias-expansion]`,
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("aliases naming an anchor of an earlier document count in the document that uses them", () => {
    const lines = [
      `x-big: &big "${MB}"`,
      "services:",
      "  web:",
      "    build: .",
      "---",
      "services:",
      "  web:",
      "    build:",
      "      args:",
    ];
    for (let i = 0; i < 20; i++) lines.push(`        A${i}: *big`);
    const dir = hostileProject({ "compose.yaml": lines.join("\n") + "\n" });
    const r = runHostile(dir);
    expectCleanFailure(r, dir, {
      message: `failed to parse ${dir}/compose.yaml: aliases expand to more than ${MAX_ALIAS_EXPANSION_CHARS} characters [yaml-alias-expansion]`,
    });
    expect(positionOf(r)).toEqual({ line: 10 + 16, column: 14 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("below the limit, large aliases still work", () => {
    const dir = hostileProject({ "compose.yaml": aliased(4) });
    const r = runHostile(dir, ["--resolve"]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 0,
      stderr: `compose2bake: wrote ${OUTPUT} (1 target, 1 group)\n`,
    });
    const bake = JSON.parse(fs.readFileSync(path.join(dir, OUTPUT), "utf8")) as {
      target: { web: { args: Record<string, string> } };
    };
    expect(Object.values(bake.target.web.args).map((v) => v.length)).toEqual([1 << 20, 1 << 20, 1 << 20, 1 << 20]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a 1 MB service extended 600 times is refused before the bake file is written", () => {
    const lines = ["services:", "  base:", "    build:", "      context: .", "      labels:", `        L: "${MB}"`];
    for (let i = 0; i < 600; i++) lines.push(`  s${i}:`, "    extends: base");
    const dir = hostileProject({ "compose.yaml": lines.join("\n") + "\n" });
    for (const format of ["json", "hcl"]) {
      expectCleanFailure(runCli(["--format", format, "-o", "-"], { cwd: dir, env: fixedEnv() }), dir, {
        position: "none",
        message: `the bake file would be larger than ${MAX_OUTPUT_CHARS} characters (extends or aliases repeat too much text) [output-too-large]`,
      });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
