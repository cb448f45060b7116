/**
 * What a test run could not check, told to test/support/skip-reporter.js: a suite that skips its tests for
 * want of a tool calls noteSkip, a suite that found the real tools calls noteTools. The reporter prints one
 * line for each at the end of `npm test` (and fails the run under CI=true when something was skipped).
 * The channel is a file named by C2B_SKIP_LOG (set by test/support/global-setup.ts); without it, nothing is noted.
 */
import * as fs from "fs";

export interface SkipNote {
  readonly kind: "skip" | "tools";
  /** For a skip, what was skipped; for tools, the line describing them. */
  readonly what: string;
  readonly why: string;
  /** The test file that noted it ("" outside a test file). */
  readonly testPath: string;
}

export function noteSkip(what: string, why: string): void {
  record({ kind: "skip", what, why, testPath: currentTestPath() });
}

export function noteTools(line: string): void {
  record({ kind: "tools", what: line, why: "", testPath: currentTestPath() });
}

function currentTestPath(): string {
  const state = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect?.getState?.();
  return state?.testPath ?? "";
}

function record(note: SkipNote): void {
  const log = process.env.C2B_SKIP_LOG;
  if (!log || note.testPath === "") return;
  fs.appendFileSync(log, JSON.stringify(note) + "\n");
}
