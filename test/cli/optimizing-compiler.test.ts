/** The CLI's TurboFan policy (src/cli/optimizing-compiler.ts): when it turns V8's optimizing compiler off and on. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as v8 from "node:v8";
import { main } from "../../src/cli/main";
import {
  COMPILE_LATER,
  LARGE_INPUT,
  LARGE_VALUES,
  LONG_VALUES,
  OptimizingCompiler,
  knowsTurbofanFlag,
} from "../../src/cli/optimizing-compiler";
import { compose2bake } from "../../src/index";
import { BIN, fixedEnv, tempProject } from "../support/run";

// main() with ownsProcess must reach V8 through this mock: the test process keeps its own TurboFan.
jest.mock("node:v8", () => ({ ...jest.requireActual<typeof v8>("node:v8"), setFlagsFromString: jest.fn() }));
const setFlagsFromString = v8.setFlagsFromString as jest.MockedFunction<typeof v8.setFlagsFromString>;

/** The flags the policy sets while a run reads `files`: [characters, values] each. */
function flagsFor(files: Array<[number, number]>): string[] {
  const set: string[] = [];
  const compiler = new OptimizingCompiler((flags) => set.push(flags));
  for (const [size, values] of files) {
    compiler.fileRead(size);
    compiler.fileParsed(size, values);
  }
  return set;
}

describe("OptimizingCompiler", () => {
  test("a small project leaves V8 as it is", () => {
    expect(flagsFor([[COMPILE_LATER - 1, 200]])).toEqual([]);
  });

  test("a middle-sized project runs without TurboFan, set once, before its first file is parsed", () => {
    const set: string[] = [];
    const compiler = new OptimizingCompiler((flags) => set.push(flags));
    compiler.fileRead(30_000);
    expect(set).toEqual(["--no-turbofan"]);
    compiler.fileParsed(30_000, 1_700);
    compiler.fileRead(2_000);
    compiler.fileParsed(2_000, 100);
    expect(set).toEqual(["--no-turbofan"]);
  });

  test("a project already large at its first file leaves V8 as it is", () => {
    expect(flagsFor([[LARGE_INPUT, 20_000]])).toEqual([]);
  });

  test("TurboFan is back on once the files read reach LARGE_INPUT", () => {
    expect(
      flagsFor([
        [100_000, 5_000],
        [LARGE_INPUT - 100_000, 15_000],
      ]),
    ).toEqual(["--no-turbofan", "--turbofan"]);
    expect(
      flagsFor([
        [100_000, 5_000],
        [LARGE_INPUT - 100_001, 15_000],
      ]),
    ).toEqual(["--no-turbofan"]);
  });

  test("TurboFan is back on once the walk reaches LARGE_VALUES (anchors and aliases)", () => {
    expect(flagsFor([[20_000, LARGE_VALUES]])).toEqual(["--no-turbofan", "--turbofan"]);
    expect(flagsFor([[20_000, LARGE_VALUES - 1]])).toEqual(["--no-turbofan"]);
  });

  test("TurboFan is back on when the files hold a few long values", () => {
    expect(flagsFor([[LONG_VALUES * 40, 40]])).toEqual(["--no-turbofan", "--turbofan"]);
    expect(flagsFor([[LONG_VALUES * 40, 41]])).toEqual(["--no-turbofan"]);
    // An empty file (no value at all) counts as one value.
    expect(flagsFor([[LONG_VALUES * 20, 0]])).toEqual(["--no-turbofan", "--turbofan"]);
  });

  test("once back on, it stays on", () => {
    expect(
      flagsFor([
        [10_000, 500],
        [LARGE_INPUT, 20_000],
        [10_000, 500],
      ]),
    ).toEqual(["--no-turbofan", "--turbofan"]);
  });
});

/** A project of `n` services of about 300 characters each, like the benchmark's. */
function services(n: number, prefix = "svc"): string {
  const one = (i: number) =>
    `  ${prefix}${i}:\n    build:\n      context: ./${prefix}${i}\n      args:\n        NAME: "service ${i}"\n` +
    `        VERSION: \${VERSION:-1.0}\n      labels:\n        team: "team ${i % 7}"\n`;
  return `services:\n${Array.from({ length: n }, (_, i) => one(i)).join("")}`;
}

/**
 * Runs the built CLI under V8's --trace-opt on `dir` (writing out.json), checks that it wrote the same file as the
 * library writes, and returns how many functions TurboFan optimized. Where V8 also has Maglev, its lines name their
 * target and are not counted: the policy leaves Maglev on.
 */
function convertTracingOptimizations(dir: string, targets: number): number {
  const r = spawnSync(process.execPath, ["--trace-opt", BIN, "-o", "out.json"], {
    cwd: dir,
    env: fixedEnv(),
    encoding: "utf8",
  });
  expect(r.stderr).toBe(`compose2bake: wrote out.json (${targets} targets, 1 group)\n`);
  expect(r.status).toBe(0);
  const written = fs.readFileSync(`${dir}/out.json`, "utf8");
  expect(written).toBe(compose2bake({ cwd: dir, env: fixedEnv(), outputFile: `${dir}/out.json` }).text);
  return r.stdout.split("\n").filter((line) => line.includes("completed optimizing") && !line.includes("MAGLEV"))
    .length;
}

test("the flag is only set on the V8 versions known to have it, never to print V8's unrecognized-flag error", () => {
  expect(knowsTurbofanFlag("11.3.244.8-node.33")).toBe(true); // Node 20
  expect(knowsTurbofanFlag("12.4.254.21-node.33")).toBe(true); // Node 22
  expect(knowsTurbofanFlag("10.2.154.26-node.36")).toBe(false); // Node 18: the flag was --opt
  expect(knowsTurbofanFlag("15.0.0")).toBe(false);
  expect(knowsTurbofanFlag(process.versions.v8)).toBe(true); // what CI runs
});

describe("the command line", () => {
  test("a 100-service project is converted without optimizing a single function, and converted the same", () => {
    const dir = tempProject({ "compose.yaml": services(100) });
    expect(convertTracingOptimizations(dir, 100)).toBe(0);
  });

  test("a second file that makes the project large turns TurboFan back on, and the result is the same", () => {
    const base = services(600);
    const override = services(2_000, "more");
    expect(base.length).toBeGreaterThan(COMPILE_LATER);
    expect(base.length).toBeLessThan(LARGE_INPUT);
    expect(base.length + override.length).toBeGreaterThanOrEqual(LARGE_INPUT);
    const dir = tempProject({ "compose.yaml": base, "compose.override.yaml": override });
    expect(convertTracingOptimizations(dir, 2600)).toBeGreaterThan(0);
  });

  test("main() run inside another process (ownsProcess unset) never changes V8's flags", async () => {
    setFlagsFromString.mockClear();
    const dir = tempProject({ "compose.yaml": services(100) });
    const out: string[] = [];
    const status = await main([], { cwd: dir, env: fixedEnv(), stdout: (t) => out.push(t), stderr: () => {} });
    expect(status).toBe(0);
    expect(out.join("")).toContain('"svc99"');
    expect(setFlagsFromString).not.toHaveBeenCalled();
    // ... and the same run as the process's owner turns TurboFan off.
    const io = { cwd: dir, env: fixedEnv(), stdout: () => {}, stderr: () => {}, ownsProcess: true };
    expect(await main([], io)).toBe(0);
    expect(setFlagsFromString.mock.calls).toEqual([["--no-turbofan"]]);
  });
});
