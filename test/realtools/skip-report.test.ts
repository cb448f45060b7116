/**
 * `npm test` says at its end when the differential tests were skipped and why, and CI=true (set by .ci/run)
 * turns such a skip into a failure (issue #11 item 7). Runs jest itself on the smoke suite with no tools to find.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { REPO, tempProject } from "../support/run";

function jestWithoutTools(extra: Record<string, string>) {
  const empty = tempProject({});
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of ["C2B_SKIP_LOG", "JEST_WORKER_ID", "CI"]) if (!(k in extra)) delete env[k];
  Object.assign(env, {
    COMPOSE2BAKE_TOOLS_DIR: path.join(empty, "none"),
    COMPOSE2BAKE_PLUGIN_DIRS: path.join(empty, "none"),
    HOME: empty,
    PATH: path.dirname(process.execPath),
  });
  const jest = path.join(REPO, "node_modules", "jest", "bin", "jest.js");
  const r = spawnSync(process.execPath, [jest, "--ci", "test/realtools/smoke.test.ts"], {
    cwd: REPO,
    env,
    encoding: "utf8",
  });
  return { status: r.status, lines: r.stderr.trimEnd().split("\n") };
}

test("skipped differential tests: one closing line with the count and the reason; a failure under CI=true", () => {
  const plain = jestWithoutTools({});
  expect(plain.status).toBe(0);
  expect(plain.lines[plain.lines.length - 1]).toMatch(
    /^compose2bake tests: SKIPPED \d+ tests: the differential tests \(real docker buildx and docker compose\), in test\/realtools\/smoke\.test\.ts: docker-buildx and docker-compose not found in /,
  );
  const ci = jestWithoutTools({ CI: "true" });
  expect(ci.status).toBe(1);
  expect(ci.lines[ci.lines.length - 1]).toMatch(/^compose2bake tests: FAILED under CI=true: \d+ tests were skipped/);
});
