/**
 * Terminal escapes and invisible characters written in a Compose file (YAML's `"\e"`, `"\a"`, `"\u202e"`) or
 * given as an argument never reach stderr as they are: every message writes them visibly (`\x1b`, `\u202e`), and
 * each diagnostic stays on one line.
 */
import { fixedEnv, runCli, tempProject } from "../support/run";

const PWNED = String.raw`\e]0;PWNED\a`;
/** How the CLI shows it (a schema error quotes the key as Go's %q does: `\a` for BEL). */
const SHOWN = /\\x1b\]0;PWNED(\\x07|\\a)/;

function stderrOf(compose: string, args: string[] = []): { status: number | null; stderr: string } {
  const dir = tempProject({ "compose.yaml": compose });
  const r = runCli([...args, "-o", "-"], { cwd: dir, env: fixedEnv() });
  return { status: r.status, stderr: r.stderr };
}

/** No control character but LF, no invisible or bidirectional formatting character. */
function expectClean(stderr: string): void {
  expect(stderr).not.toMatch(
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/,
  );
}

describe("hostile text in messages", () => {
  test.each([
    ["a service name", `services:\n  "web${PWNED}":\n    build: .\n`, 2],
    [
      "an x-bake key (a warning)",
      `services:\n  web:\n    build:\n      context: .\n      x-bake:\n        "${PWNED}": 1\n`,
      0,
    ],
    ["a secret name", `services:\n  web:\n    build:\n      context: .\n      secrets: ["${PWNED}"]\n`, 2],
    ["a boolean", `services:\n  web:\n    build:\n      context: .\n      no_cache: "${PWNED}"\n`, 2],
    ["an arg name", `services:\n  web:\n    build:\n      context: .\n      args: ["${PWNED} =1"]\n`, 2],
  ])("%s", (_what, compose, status) => {
    const r = stderrOf(compose);
    expect(r.status).toBe(status);
    expectClean(r.stderr);
    expect(r.stderr).toMatch(SHOWN);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  test("bidirectional overrides and line breaks in a key are shown, one line per message", () => {
    const r = stderrOf(
      `services:\n  web:\n    build:\n      context: .\n      x-bake:\n        "a\\u202eb\\nc\\u2028d": 1\n`,
    );
    expect(r.status).toBe(0);
    expectClean(r.stderr);
    expect(r.stderr).toContain(String.raw`a\u202eb\x0ac\u2028d`);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  test("a usage error quoting an argument", () => {
    const dir = tempProject({ "compose.yaml": "services:\n  web:\n    build: .\n" });
    const r = runCli(["--format", "json", "-o", "out\u001b]0;PWNED\u0007.hcl"], { cwd: dir, env: fixedEnv() });
    expect(r.status).toBe(2);
    expectClean(r.stderr);
    expect(r.stderr).toContain(String.raw`out\x1b]0;PWNED\x07.hcl`);
  });
});
