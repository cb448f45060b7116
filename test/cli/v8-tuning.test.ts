/**
 * The CLI's V8 tuning (src/cli/v8-tuning.ts): when it turns V8's optimizing compiler off and on, and keeps the young
 * generation small.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as v8 from "node:v8";
import { main } from "../../src/cli/main";
import {
  COMPILE_LATER,
  LARGE_INPUT,
  LARGE_VALUES,
  LONG_VALUES,
  LARGE_FILE,
  MANY_VALUES,
  V8Tuning,
  knowsTuningFlags,
} from "../../src/cli/v8-tuning";
import { compose2bake } from "../../src/index";
import { BIN, fixedEnv, tempProject } from "../support/run";

// main() with ownsProcess must reach V8 through this mock: the test process keeps its own V8 flags.
jest.mock("node:v8", () => ({ ...jest.requireActual<typeof v8>("node:v8"), setFlagsFromString: jest.fn() }));
const setFlagsFromString = v8.setFlagsFromString as jest.MockedFunction<typeof v8.setFlagsFromString>;

/** The flags the policy sets while a run reads `files`: [characters, values] each. */
function flagsFor(files: Array<[number, number]>): string[] {
  const set: string[] = [];
  const tuning = new V8Tuning(
    (flags) => set.push(flags),
    () => undefined,
  );
  for (const [size, values] of files) {
    tuning.fileRead(size);
    tuning.fileParsed(size, values);
  }
  return set;
}

const SMALL = "--no-turbofan --semi-space-growth-factor=1 --no-parallel-scavenge";
const LARGE = "--turbofan --semi-space-growth-factor=2 --parallel-scavenge";

describe("V8Tuning", () => {
  test("a small project leaves V8 as it is", () => {
    expect(flagsFor([[COMPILE_LATER - 1, 200]])).toEqual([]);
  });

  test("a middle-sized project runs without TurboFan and with a small young generation, set once, before its first file is parsed", () => {
    const set: string[] = [];
    const tuning = new V8Tuning(
      (flags) => set.push(flags),
      () => undefined,
    );
    tuning.fileRead(30_000);
    expect(set).toEqual([SMALL]);
    tuning.fileParsed(30_000, 1_700);
    tuning.fileRead(2_000);
    tuning.fileParsed(2_000, 100);
    expect(set).toEqual([SMALL]);
  });

  test("a project already large at its first file leaves V8 as it is", () => {
    expect(flagsFor([[LARGE_INPUT, 20_000]])).toEqual([]);
  });

  test("V8's defaults are back once the files read reach LARGE_INPUT", () => {
    expect(
      flagsFor([
        [100_000, 5_000],
        [LARGE_INPUT - 100_000, 15_000],
      ]),
    ).toEqual([SMALL, LARGE]);
    expect(
      flagsFor([
        [100_000, 5_000],
        [LARGE_INPUT - 100_001, 15_000],
      ]),
    ).toEqual([SMALL]);
  });

  test("V8's defaults are back once the walk reaches LARGE_VALUES (anchors and aliases)", () => {
    expect(flagsFor([[20_000, LARGE_VALUES]])).toEqual([SMALL, LARGE]);
    expect(flagsFor([[20_000, LARGE_VALUES - 1]])).toEqual([SMALL]);
  });

  test("V8's defaults are back when the files hold a few long values", () => {
    expect(flagsFor([[LONG_VALUES * 40, 40]])).toEqual([SMALL, LARGE]);
    expect(flagsFor([[LONG_VALUES * 40, 41]])).toEqual([SMALL]);
    // An empty file (no value at all) counts as one value.
    expect(flagsFor([[LONG_VALUES * 20, 0]])).toEqual([SMALL, LARGE]);
  });

  test("a file with both LARGE_FILE characters and MANY_VALUES values is followed by one collection", () => {
    const collections: number[] = [];
    const tuning = new V8Tuning(
      () => undefined,
      () => collections.push(collections.length),
    );
    tuning.fileRead(LARGE_FILE - 1);
    tuning.fileParsed(LARGE_FILE - 1, MANY_VALUES); // not large enough
    tuning.fileRead(LARGE_FILE);
    tuning.fileParsed(LARGE_FILE, MANY_VALUES - 1); // a few long values: little to collect
    expect(collections).toHaveLength(0);
    tuning.fileRead(LARGE_FILE);
    tuning.fileParsed(LARGE_FILE, MANY_VALUES);
    expect(collections).toHaveLength(1);
  });

  test("once back to V8's defaults, it stays there", () => {
    expect(
      flagsFor([
        [10_000, 500],
        [LARGE_INPUT, 20_000],
        [10_000, 500],
      ]),
    ).toEqual([SMALL, LARGE]);
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

test("the flags are only set on the V8 versions known to have them, never to print V8's unrecognized-flag error", () => {
  expect(knowsTuningFlags("11.3.244.8-node.33")).toBe(true); // Node 20
  expect(knowsTuningFlags("12.4.254.21-node.33")).toBe(true); // Node 22
  expect(knowsTuningFlags("14.1.146.11-node.25")).toBe(true); // Node 25
  expect(knowsTuningFlags("10.2.154.26-node.36")).toBe(false); // Node 18: the flag was --opt
  expect(knowsTuningFlags("15.0.0")).toBe(false);
  expect(knowsTuningFlags(process.versions.v8)).toBe(true); // what CI runs
});

/**
 * The young generation's size in a fresh `node` that sets `flags` at run time (as the CLI does, after start-up),
 * then keeps 40 MB of small objects alive: before and after, in bytes.
 */
function newSpaceGrowth(flags: string | undefined): { before: number; after: number } {
  const script = [
    'const v8 = require("node:v8");',
    'const size = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;',
    "const before = size();",
    "if (process.argv[1]) v8.setFlagsFromString(process.argv[1]);",
    "const keep = [];",
    'for (let i = 0; i < 500000; i++) keep.push({ i, s: "value " + i });',
    "console.log(JSON.stringify({ before, after: size(), kept: keep.length }));",
  ].join("\n");
  const r = spawnSync(process.execPath, ["-e", script, "--", flags ?? ""], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { before: number; after: number };
}

test("V8 reads the young generation's flags at run time: the new space stays small instead of growing", () => {
  // What the policy relies on. V8 raises a growth factor below 2 to 2 when it reads its command line, but takes the
  // value set at run time as it is; if a V8 ever applied that minimum here too, the flags would do nothing, and
  // this test says so. Without them, V8 doubles the new space while objects survive, from 1 MB (Node 20 to 24) or
  // 0.5 MB (Node 25) to 32 or 64 MB...
  const MB = 1024 * 1024;
  expect(newSpaceGrowth(undefined).after).toBeGreaterThanOrEqual(16 * MB);
  // ... and with them, set after start-up, it stops at 2 MB.
  expect(newSpaceGrowth(SMALL).after).toBeLessThanOrEqual(2 * MB);
  // Setting V8's defaults back lets it grow again.
  expect(newSpaceGrowth(`${SMALL} ${LARGE}`).after).toBeGreaterThanOrEqual(16 * MB);
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
    // ... and the same run as the process's owner sets the middle-sized project's flags.
    const io = { cwd: dir, env: fixedEnv(), stdout: () => {}, stderr: () => {}, ownsProcess: true };
    expect(await main([], io)).toBe(0);
    expect(setFlagsFromString.mock.calls).toEqual([[SMALL]]);
  });

  test("a runtime whose v8.setFlagsFromString throws converts as usual", async () => {
    setFlagsFromString.mockClear();
    setFlagsFromString.mockImplementationOnce(() => {
      throw new Error("v8.setFlagsFromString is not implemented");
    });
    const dir = tempProject({ "compose.yaml": services(100) });
    const out: string[] = [];
    const err: string[] = [];
    const io = { cwd: dir, env: fixedEnv(), stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
    expect(await main([], { ...io, ownsProcess: true })).toBe(0);
    expect(setFlagsFromString).toHaveBeenCalledTimes(1);
    expect(err).toEqual([]);
    expect(out.join("")).toBe(compose2bake({ cwd: dir, env: fixedEnv() }).text);
  });
});
