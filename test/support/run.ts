/** Helpers shared by golden and CLI tests: a fixed environment, temporary project folders, the built CLI. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const REPO = path.resolve(__dirname, "../..");
export const BIN = path.join(REPO, "bin", "compose2bake.js");

/** A small, fixed environment so results never depend on the developer's shell. */
export function fixedEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: "/home/tester", PATH: process.env.PATH ?? "/usr/bin:/bin", ...extra };
}

/** Writes `files` (relative path → content) into a fresh temporary folder and returns its path. */
export function tempProject(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "c2b-")));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  return dir;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm test` builds first) as a separate process. */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; input?: string },
): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: options.env ?? fixedEnv(),
    input: options.input,
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
