/**
 * The loading scenarios judge the loader with `docker compose config`; the converter's judge is `docker compose
 * build --print`, which loads a project with less: it never reads services' env_file (no environment resolution),
 * yet reads label files. Here a few scenarios of test/loading/ are run through `build --print` too, and its outcome
 * must be ours (accepted by both, or refused by both), so the `env_file` divergence from `config` stays justified.
 */
import * as path from "node:path";
import { loadProject } from "../../src/compose/load";
import { CompileError, DiagnosticBag } from "../../src/diagnostics";
import { composeBuildPrintAsync, findRealTools, whyNoRealTools } from "../support/realtools";

const tools = findRealTools();
const withTools = tools ? test : test.skip;
const LOADING = path.join(__dirname, "..", "loading");

const SCENARIOS = [
  "env-file-missing-build-accepts",
  "env-file-required-missing-build-accepts",
  "service-checks-accepted",
  "error-label-file-missing",
  "error-healthcheck-test-first-word",
  "error-volume-too-many-colons",
] as const;

function ours(dir: string): boolean {
  try {
    loadProject({ cwd: dir, env: { HOME: "/nonexistent/c2b-home" } }, new DiagnosticBag());
    return true;
  } catch (e) {
    if (e instanceof CompileError) return false;
    throw e;
  }
}

describe.each(SCENARIOS)("loading/%s", (name) => {
  withTools(`docker compose build --print agrees${tools ? "" : ` (skipped: ${whyNoRealTools()})`}`, async () => {
    const dir = path.join(LOADING, name);
    const r = await composeBuildPrintAsync(tools!, { cwd: dir, env: { HOME: "/nonexistent/c2b-home" } });
    const context = r.ok ? "" : r.stderr;
    expect({ name, accepted: r.ok, context }).toEqual({ name, accepted: ours(dir), context });
  });
});
