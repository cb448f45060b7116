/**
 * The fixture corpus (test/fixtures/<case>/): reading a case and running the CLI on it. Shared by
 * test/fixtures.test.ts (byte-for-byte expected files) and test/realtools/differential.test.ts (the real tools).
 * The layout of a case is described in test/fixtures.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../src/cli/main";
import { fixedEnv } from "./run";

export const FIXTURES = path.join(__dirname, "..", "fixtures");

/**
 * Cases whose expected files hold the right output (what docker compose does) while compose2bake, because of a
 * bug in code this suite may not change, gives another: their comparison tests are marked `test.failing`, so the
 * bug shows in every run and the test turns red once it is fixed (then remove the entry).
 */
export const KNOWN_BUGS: Readonly<Record<string, string>> = {};

/** Files of a case folder that are test metadata, not project input. */
export const FIXTURE_META_FILES = ["args", "env.json", "expected.json", "expected.hcl", "expected.stderr"];

export interface FixtureCase {
  name: string;
  dir: string;
  args: string[];
  env: Record<string, string>;
  /** True when the case expects an error (no expected.json). */
  error: boolean;
}

export function loadFixture(name: string): FixtureCase {
  const dir = path.join(FIXTURES, name);
  const argsFile = path.join(dir, "args");
  const args = fs.existsSync(argsFile)
    ? fs
        .readFileSync(argsFile, "utf8")
        .split("\n")
        .map((l) => l.replace(/\r$/, ""))
        .filter((l) => l !== "")
    : [];
  const envFile = path.join(dir, "env.json");
  const env = fs.existsSync(envFile) ? (JSON.parse(fs.readFileSync(envFile, "utf8")) as Record<string, string>) : {};
  return { name, dir, args, env, error: !fs.existsSync(path.join(dir, "expected.json")) };
}

export function fixtureNames(): string[] {
  return fs
    .readdirSync(FIXTURES)
    .filter((d) => fs.statSync(path.join(FIXTURES, d)).isDirectory())
    .sort();
}

export interface CaseRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process on a case (cwd = its folder), writing the given format to stdout. */
export async function runCase(c: FixtureCase, format: "json" | "hcl", cwd = c.dir, baseEnv = fixedEnv()): Promise<CaseRun> {
  let stdout = "";
  let stderr = "";
  const status = await main([...c.args, "--format", format], {
    cwd,
    env: { ...baseEnv, ...c.env },
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { status, stdout, stderr };
}
